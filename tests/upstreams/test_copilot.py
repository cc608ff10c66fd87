"""The copilot upstream against the emulator over real HTTP: tokens, headers, errors."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig, Fault
from copilot_gateway.upstreams.copilot.session import allowed_api_base
from servers import gateway_settings, running, serving

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


@pytest.mark.own_servers  # counts token exchanges: a fresh gateway
def test_token_is_exchanged_once_and_reused(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    for _ in range(3):
        assert client.post("/v1/chat/completions", json=CHAT).status_code == 200
    assert emulator.state.exchanges == 1


def test_token_is_refreshed_before_it_expires() -> None:
    # A token that lives 60 s is due for refresh at once (refresh margin 60 s).
    emulator = CopilotEmulator(EmulatorConfig(token_lifetime=60))
    with (
        running(emulator.app) as emulator_url,
        serving(gateway_settings(emulator_url)) as url,
    ):
        for _ in range(2):
            response = httpx.post(
                f"{url}/v1/chat/completions",
                json=CHAT,
                headers={"Authorization": "Bearer sk-test-key"},
            )
            assert response.status_code == 200
    tokens_used = [headers["authorization"] for headers in emulator.state.seen_headers]
    assert len(tokens_used) >= 3  # models once (cached), then two chats
    assert len(set(tokens_used)) == len(tokens_used) == emulator.state.exchanges


def test_copilot_headers_are_sent(client: httpx.Client, emulator: CopilotEmulator) -> None:
    client.post("/v1/chat/completions", json=CHAT)
    headers = emulator.state.seen_headers[-1]
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
    assert emulator.state.seen_headers[-1]["x-initiator"] == initiator


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
    assert emulator.state.seen_headers[-1]["copilot-vision-request"] == "true"


def test_embeddings_input_goes_upstream_as_a_list(client: httpx.Client) -> None:
    # The emulator, like some Copilot backends, refuses a bare string.
    response = client.post(
        "/v1/embeddings", json={"model": "text-embedding-3-small", "input": "one string"}
    )
    assert response.status_code == 200 and len(response.json()["data"]) == 1


def test_a_token_github_will_not_exchange_is_a_clear_502() -> None:
    """GitHub answers 404 for tokens it issues no Copilot token for (not an OAuth token)."""
    emulator = CopilotEmulator()
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(emulator_url, github_token="gho_not_for_copilot")
        with serving(settings) as url:
            response = httpx.get(
                f"{url}/v1/models", headers={"Authorization": "Bearer sk-test-key"}
            )
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["type"] == "api_error" and error["code"] == "copilot_token_exchange_failed"
    assert "device flow" in error["message"]
    assert "gho_not_for_copilot" not in response.text


@pytest.mark.own_servers  # counts token exchanges: a fresh gateway
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
    assert emulator.state.exchanges == 1


@pytest.mark.own_servers  # counts token exchanges: a fresh gateway
def test_expired_token_is_exchanged_again_and_the_request_retried(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    assert client.post("/v1/chat/completions", json=CHAT).status_code == 200
    for token in emulator.state.issued:  # Copilot now says "token expired"
        emulator.state.issued[token] = 0
    response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == 200
    assert emulator.state.exchanges == 2


@pytest.mark.own_servers  # counts token exchanges: a fresh gateway
def test_a_second_401_is_not_retried_again(client: httpx.Client, emulator: CopilotEmulator) -> None:
    client.get("/v1/models")
    emulator.state.faults += [
        Fault(status=401, body="unauthorized"),
        Fault(status=401, body="unauthorized"),
    ]
    response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "upstream_authentication_failed"
    assert emulator.state.exchanges == 2


@pytest.mark.parametrize(
    ("github_token", "status", "says"),
    [
        ("gho_revoked", 502, "invalid or revoked"),
        ("gho_no_copilot", 502, "no Copilot access"),
        ("gho_rate_limited", 429, "rate limiting"),
    ],
)
def test_exchange_refusals_say_what_to_do(
    emulator_url: str, github_token: str, status: int, says: str
) -> None:
    with serving(gateway_settings(emulator_url, github_token=github_token)) as url:
        response = httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer sk-test-key"})
    assert response.status_code == status
    assert says in response.json()["error"]["message"]
    assert github_token not in response.text
    if status == 429:
        assert response.headers["retry-after"] == "30"


def test_the_token_is_never_sent_to_a_foreign_api_host() -> None:
    emulator = CopilotEmulator(EmulatorConfig(api_base="https://copilot.evil.example"))
    with (
        running(emulator.app) as emulator_url,
        serving(gateway_settings(emulator_url)) as url,
    ):
        response = httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer sk-test-key"})
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "copilot_api_host_refused"
    assert not emulator.state.seen_headers


@pytest.mark.parametrize(
    ("api_base", "github_api", "allowed"),
    [
        ("https://api.githubcopilot.com", "https://api.github.com", True),
        ("https://api.business.githubcopilot.com", "https://api.github.com", True),
        ("http://api.githubcopilot.com", "https://api.github.com", False),
        ("https://evilgithubcopilot.com", "https://api.github.com", False),
        ("https://githubcopilot.com.evil.example", "https://api.github.com", False),
        ("https://copilot-api.acme.ghe.com", "https://api.acme.ghe.com", True),
        ("https://copilot-api.other.ghe.com", "https://api.acme.ghe.com", False),
        ("http://127.0.0.1:9090", "http://127.0.0.1:9090", True),
        ("http://127.0.0.1:9091", "http://127.0.0.1:9090", False),
    ],
)
def test_allowed_api_hosts(api_base: str, github_api: str, allowed: bool) -> None:
    assert allowed_api_base(api_base, github_api) is allowed


def test_models_leave_out_what_copilot_will_not_serve(client: httpx.Client) -> None:
    ids = [model["id"] for model in client.get("/v1/models").json()["data"]]
    assert len(ids) == len(set(ids))  # Copilot's duplicates removed
    assert "claude-opus-4" not in ids  # disabled by policy
    assert "gpt-5-codex" in ids  # Responses-only: chat is translated there
    assert "gpt-41-copilot" not in ids  # code completions only
    error = client.post("/v1/chat/completions", json={**CHAT, "model": "claude-opus-4"}).json()
    assert error["error"]["code"] == "model_not_found"
    owners = {model["id"]: model["owned_by"] for model in client.get("/v1/models").json()["data"]}
    assert owners["claude-sonnet-4"] == "Anthropic"


def test_a_rate_limited_model_list_keeps_the_last_one(
    emulator_url: str, emulator: CopilotEmulator
) -> None:
    with serving(gateway_settings(emulator_url, models_cache_seconds=0)) as url:
        auth = {"Authorization": "Bearer sk-test-key"}
        first = httpx.get(f"{url}/v1/models", headers=auth).json()
        emulator.state.faults.append(Fault(status=429, body='{"error":{"message":"slow down"}}'))
        assert httpx.get(f"{url}/v1/models", headers=auth).json() == first


def test_upstream_refusing_a_responses_only_model_keeps_its_code(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    message = 'model "gpt-5.4" is not accessible via the /chat/completions endpoint'
    body = orjson.dumps(
        {"error": {"message": message, "code": "unsupported_api_for_model"}}
    ).decode()
    emulator.state.faults.append(Fault(status=400, body=body))
    error = client.post("/v1/chat/completions", json=CHAT).json()["error"]
    assert error["code"] == "unsupported_api_for_model"
