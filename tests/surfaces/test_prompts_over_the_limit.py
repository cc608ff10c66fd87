"""A prompt over its model's limit is refused before anything is sent, on every operation
that sends one, on every surface and either route (native or translated), streamed or not:
400 `context_length_exceeded` in the surface's own error shape.

The emulator's catalogue gives each model's `max_prompt_tokens` (64,000 for `gpt-4o`,
272,000 for `gpt-5.3-codex`, 128,000 for `claude-sonnet-4`); the gateway refuses what it
counts as 5% over it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator
from openapi_oracle import validate_chunk

FAR_OVER_64K = "hello " * 80_000  # about 80,000 tokens
FAR_OVER_128K = "hello " * 150_000
FAR_OVER_272K = "hello " * 300_000
# Each model's limit, and a prompt far over it: native (Responses-only) and translated.
OVER = {"gpt-5.3-codex": (FAR_OVER_272K, 272000), "gpt-4o": (FAR_OVER_64K, 64000)}
WITHIN = "hello " * 30_000  # well within every limit here, alone


def refused_before_sending(
    client: httpx.Client, emulator: CopilotEmulator, path: str, body: dict[str, Any]
) -> httpx.Response:
    """The answer to `body`, after checking that none of it reached Copilot."""
    client.get("/v1/models")  # the catalogue, fetched before counting what is sent
    before = len(emulator.state.seen_headers)
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert len(emulator.state.seen_headers) == before  # nothing reached Copilot
    return response


def openai_refusal(response: httpx.Response, param: str, limit: int) -> None:
    error = response.json()["error"]
    validate_chunk("ErrorResponse", response.json())
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "context_length_exceeded",
        param,
    )
    assert str(limit) in error["message"]


@pytest.mark.parametrize("stream", [False, True])
def test_chat(client: httpx.Client, emulator: CopilotEmulator, stream: bool) -> None:
    messages = [{"role": "user", "content": FAR_OVER_64K}]
    body = {"model": "gpt-4o", "messages": messages, "stream": stream}
    openai_refusal(
        refused_before_sending(client, emulator, "/v1/chat/completions", body), "messages", 64000
    )


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("model", list(OVER))  # native, translated
def test_responses(
    client: httpx.Client, emulator: CopilotEmulator, model: str, stream: bool
) -> None:
    text, limit = OVER[model]
    body = {"model": model, "input": text, "stream": stream}
    response = refused_before_sending(client, emulator, "/v1/responses", body)
    openai_refusal(response, "input", limit)


@pytest.mark.parametrize("model", list(OVER))  # native, translated
def test_responses_count_the_earlier_turns_they_continue(
    client: httpx.Client, emulator: CopilotEmulator, model: str
) -> None:
    limit = OVER[model][1]
    # Each turn under half the limit: the follow-up is within it alone, over it with the first.
    within = "hello " * (limit * 15 // 32)
    first = client.post("/v1/responses", json={"model": model, "input": within})
    assert first.status_code == 200, first.text
    follow_up = {
        "model": model,
        "input": [{"role": "user", "content": within + within}],
        "instructions": "Be brief.",
        "previous_response_id": first.json()["id"],
    }
    response = refused_before_sending(client, emulator, "/v1/responses", follow_up)
    openai_refusal(response, "input", limit)


def test_responses_count_what_chat_cannot_take_on_the_native_route(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    """A native upstream takes items chat has no place for: they count as their JSON."""
    item = {"type": "item_reference", "id": FAR_OVER_272K}
    body = {"model": "gpt-5.3-codex", "input": [item]}
    openai_refusal(refused_before_sending(client, emulator, "/v1/responses", body), "input", 272000)


@pytest.mark.parametrize("stream", [False, True])
def test_legacy_completions(client: httpx.Client, emulator: CopilotEmulator, stream: bool) -> None:
    # The second prompt is over: each prompt is one chat request, each within the limit or not.
    body = {"model": "gpt-4o", "prompt": ["Say hi", FAR_OVER_64K], "stream": stream}
    response = refused_before_sending(client, emulator, "/v1/completions", body)
    openai_refusal(response, "prompt", 64000)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("model", "text", "limit"),
    [("claude-sonnet-4", FAR_OVER_128K, 128000), ("gpt-4o", FAR_OVER_64K, 64000)],
    ids=["native", "translated"],
)
def test_messages(
    client: httpx.Client, emulator: CopilotEmulator, model: str, text: str, limit: int, stream: bool
) -> None:
    body = {
        "model": model,
        "max_tokens": 50,
        "system": "Be brief.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
        "stream": stream,
    }
    response = refused_before_sending(client, emulator, "/v1/messages", body)
    validate_chunk("ErrorResponse", response.json(), "anthropic.yaml")
    assert response.json()["error"]["type"] == "invalid_request_error"
    # Anthropic's words, on which Claude Code compacts: the gateway's count, the limit.
    message = response.json()["error"]["message"]
    assert re.fullmatch(rf"prompt is too long: \d+ tokens > {limit} maximum", message)


def test_a_prompt_within_the_limit_is_sent(client: httpx.Client) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": WITHIN}]}
    assert client.post("/v1/chat/completions", json=body).status_code == 200
