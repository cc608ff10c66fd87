"""A prompt over the model's limit reaches Anthropic's clients as Anthropic says it:
400 `invalid_request_error`, "prompt is too long: N tokens > M maximum" (the words Claude
Code compacts its context on), whether Copilot refused it (its 400
`model_max_prompt_tokens_exceeded`) or the gateway did, on the native and the translated
route, streamed or not. The OpenAI surface keeps its own words for the same refusal."""

from __future__ import annotations

import re

import httpx
import orjson
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault
from openapi_oracle import validate_chunk

NATIVE, TRANSLATED = "claude-sonnet-4", "gpt-4o"
COPILOT_SAYS = orjson.dumps(
    {
        "error": {
            "message": "prompt token count of 130512 exceeds the limit of 128000",
            "code": "model_max_prompt_tokens_exceeded",
        }
    }
).decode()


def message_body(model: str, stream: bool) -> dict:
    return {
        "model": model,
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": stream,
    }


def anthropic_refusal(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    validate_chunk("ErrorResponse", body, "anthropic.yaml")
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    return str(body["error"]["message"])


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("model", [NATIVE, TRANSLATED])
def test_copilots_refusal_is_said_in_anthropics_words(
    client: httpx.Client, emulator: CopilotEmulator, model: str, stream: bool
) -> None:
    client.get("/v1/models")  # the catalogue first: the fault is the message call's
    emulator.state.faults.append(Fault(status=400, body=COPILOT_SAYS))
    response = client.post("/v1/messages", json=message_body(model, stream))
    assert not emulator.state.faults  # Copilot was asked, and refused
    assert anthropic_refusal(response) == "prompt is too long: 130512 tokens > 128000 maximum"


def test_copilots_refusal_without_numbers_still_says_prompt_is_too_long(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    body = '{"error":{"message":"too many tokens","code":"model_max_prompt_tokens_exceeded"}}'
    emulator.state.faults.append(Fault(status=400, body=body))
    response = client.post("/v1/messages", json=message_body(TRANSLATED, False))
    assert anthropic_refusal(response) == "prompt is too long: too many tokens"


def test_the_openai_surface_keeps_its_own_words(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    emulator.state.faults.append(Fault(status=400, body=COPILOT_SAYS))
    chat = {"model": TRANSLATED, "messages": [{"role": "user", "content": "Hi"}]}
    response = client.post("/v1/chat/completions", json=chat)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "context_length_exceeded"
    assert error["message"] == "prompt token count of 130512 exceeds the limit of 128000"


@pytest.mark.parametrize(
    ("model", "words", "limit"),
    [(TRANSLATED, 65_000, 64000), (NATIVE, 130_000, 128000)],
    ids=["translated", "native"],
)
def test_a_prompt_just_over_the_limit_is_refused_by_copilot_in_anthropics_words(
    client: httpx.Client, emulator: CopilotEmulator, model: str, words: int, limit: int
) -> None:
    """A little over the model's limit: within the gateway's 5% margin, so Copilot counts
    it and refuses it; its numbers reach the client."""
    client.get("/v1/models")
    before = len(emulator.state.seen_headers)
    body = message_body(model, False)
    body["messages"] = [{"role": "user", "content": "hello " * words}]
    message = anthropic_refusal(client.post("/v1/messages", json=body))
    assert re.fullmatch(rf"prompt is too long: \d+ tokens > {limit} maximum", message), message
    assert len(emulator.state.seen_headers) == before + 1  # Copilot refused it
