"""The copilot upstream against the emulator over real HTTP: tokens, headers, errors."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig
from servers import gateway_app, gateway_settings, running

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def test_token_is_exchanged_once_and_reused(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    for _ in range(3):
        assert client.post("/v1/chat/completions", json=CHAT).status_code == 200
    assert emulator.config.exchanges == 1


def test_token_is_refreshed_before_it_expires() -> None:
    # A token that lives 60 s is due for refresh at once (refresh margin 60 s).
    emulator = CopilotEmulator(EmulatorConfig(token_lifetime=60))
    with (
        running(emulator.app) as emulator_url,
        running(gateway_app(gateway_settings(emulator_url))) as url,
    ):
        for _ in range(2):
            response = httpx.post(
                f"{url}/v1/chat/completions",
                json=CHAT,
                headers={"Authorization": "Bearer sk-test-key"},
            )
            assert response.status_code == 200
    tokens_used = [headers["authorization"] for headers in emulator.config.seen_headers]
    assert len(tokens_used) >= 3  # models once (cached), then two chats
    assert len(set(tokens_used)) == len(tokens_used) == emulator.config.exchanges


def test_copilot_headers_are_sent(client: httpx.Client, emulator: CopilotEmulator) -> None:
    client.post("/v1/chat/completions", json=CHAT)
    headers = emulator.config.seen_headers[-1]
    assert headers["editor-version"].startswith("vscode/")
    assert headers["editor-plugin-version"].startswith("copilot-chat/")
    assert headers["copilot-integration-id"] == "vscode-chat"
    assert headers["openai-intent"] == "conversation-panel"
    assert headers["x-github-api-version"]
    assert headers["x-request-id"]
    assert headers["authorization"].startswith("Bearer tid=")


@pytest.mark.parametrize(
    ("last_role", "initiator"), [("user", "user"), ("tool", "agent"), ("assistant", "agent")]
)
def test_initiator_follows_the_last_message(
    client: httpx.Client, emulator: CopilotEmulator, last_role: str, initiator: str
) -> None:
    messages: list[dict] = [{"role": "user", "content": "hi"}]
    if last_role == "tool":
        messages += [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "42"},
        ]
    elif last_role == "assistant":
        messages += [{"role": "assistant", "content": "hello"}]
    assert (
        client.post(
            "/v1/chat/completions", json={"model": "gpt-4o", "messages": messages}
        ).status_code
        == 200
    )
    assert emulator.config.seen_headers[-1]["x-initiator"] == initiator


def test_images_send_the_vision_header(client: httpx.Client, emulator: CopilotEmulator) -> None:
    content = [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]
    response = client.post(
        "/v1/chat/completions",
        json={"model": "gpt-4o", "messages": [{"role": "user", "content": content}]},
    )
    assert response.status_code == 200, response.text
    assert emulator.config.seen_headers[-1]["copilot-vision-request"] == "true"


def test_embeddings_input_goes_upstream_as_a_list(client: httpx.Client) -> None:
    # The emulator, like some Copilot backends, refuses a bare string.
    response = client.post(
        "/v1/embeddings", json={"model": "text-embedding-3-small", "input": "one string"}
    )
    assert response.status_code == 200 and len(response.json()["data"]) == 1


def test_a_personal_access_token_is_refused_with_a_clear_502() -> None:
    emulator = CopilotEmulator()
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(emulator_url, github_token="ghp_personal_access_token")
        with running(gateway_app(settings)) as url:
            response = httpx.get(
                f"{url}/v1/models", headers={"Authorization": "Bearer sk-test-key"}
            )
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["type"] == "api_error" and error["code"] == "copilot_token_exchange_failed"
    assert "personal access tokens" in error["message"]
    assert "ghp_personal_access_token" not in response.text


def test_concurrent_first_requests_share_one_exchange(
    gateway_url: str, emulator: CopilotEmulator
) -> None:
    async def burst() -> list[int]:
        async with httpx.AsyncClient(
            base_url=gateway_url, headers={"Authorization": "Bearer sk-test-key"}
        ) as client:
            responses = await asyncio.gather(
                *(client.post("/v1/chat/completions", json=CHAT) for _ in range(50))
            )
        return [response.status_code for response in responses]

    assert asyncio.run(burst()) == [200] * 50
    assert emulator.config.exchanges == 1
