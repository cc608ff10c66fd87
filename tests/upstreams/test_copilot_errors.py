"""Copilot's errors reach the client with their meaning (see `upstreams.copilot.errors`)."""

from __future__ import annotations

import httpx
import orjson
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def copilot_error(message: str, code: str | None = None) -> str:
    return orjson.dumps({"error": {"message": message, "code": code}}).decode()


@pytest.mark.parametrize("stream", [False, True])
def test_466_says_the_client_version_is_outdated_and_names_the_settings(
    client: httpx.Client, emulator: CopilotEmulator, stream: bool
) -> None:
    client.get("/v1/models")
    emulator.state.faults.append(Fault(status=466, body=copilot_error("client not supported")))
    response = client.post("/v1/chat/completions", json={**CHAT, "stream": stream})
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "copilot_client_outdated"
    for setting in (
        "GATEWAY_COPILOT_EDITOR_VERSION",
        "GATEWAY_COPILOT_EDITOR_PLUGIN_VERSION",
        "GATEWAY_COPILOT_USER_AGENT",
        "GATEWAY_COPILOT_API_VERSION",
    ):
        assert setting in error["message"]
    assert "client not supported" in error["message"]


@pytest.mark.own_servers  # the account rests until its reset: no gateway to share after
def test_exhausted_quota_is_429_insufficient_quota_with_its_reset(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    body = copilot_error("You have exceeded your premium request quota.", "quota_exceeded")
    emulator.state.faults.append(Fault(status=402, body=body, headers={"retry-after": "3600"}))
    response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == 429
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("insufficient_quota", "insufficient_quota")
    assert "3600 s" in error["message"]
    assert response.headers["retry-after"] == "3600"


def test_a_cancelled_request_is_a_retryable_503(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    emulator.state.faults.append(Fault(status=499, body=copilot_error("cancelled")))
    response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_provider_rate_limit"


def test_a_prompt_far_over_the_limit_is_refused_before_it_leaves(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    before = len(emulator.state.seen_headers)
    long = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello " * 80_000}]}
    response = client.post("/v1/chat/completions", json=long)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("context_length_exceeded", "messages")
    assert "64000" in error["message"]
    assert len(emulator.state.seen_headers) == before  # nothing reached Copilot


def test_a_prompt_just_over_the_limit_is_refused_by_copilot_with_the_same_meaning(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    before = len(emulator.state.seen_headers)
    # About 65,000 tokens: over Copilot's 64,000, within the gateway's 5% margin.
    near = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello " * 65_000}]}
    response = client.post("/v1/chat/completions", json=near)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("context_length_exceeded", "messages")
    assert "exceeds the limit of 64000" in error["message"]
    assert len(emulator.state.seen_headers) == before + 1  # Copilot refused it


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/chat/completions", CHAT, "messages"),
        ("/v1/responses", {"model": "gpt-5.4", "input": "hi"}, "input"),
    ],
)
def test_copilots_prompt_too_long_names_the_field_the_prompt_is_in(
    client: httpx.Client, emulator: CopilotEmulator, path: str, body: dict[str, object], param: str
) -> None:
    client.get("/v1/models")
    refusal = copilot_error(
        "prompt token count of 272001 exceeds the limit of 272000",
        "model_max_prompt_tokens_exceeded",
    )
    emulator.state.faults.append(Fault(status=400, body=refusal))
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("context_length_exceeded", param)
