"""Field names as Google's parser takes them: a body written with proto names (as Google's
REST samples are) is served as its camelCase twin, and a name no message has is refused
in Google's words, as Google refuses it (where it was by proto names), before anything is
sent upstream."""

from __future__ import annotations

import httpx
import pytest

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator
from openapi_oracle import validate_chunk

GOOGLE_KEY = {"x-goog-api-key": API_KEY}
GENERATE = "/v1beta/models/gemini-2.5-pro:generateContent"
CAMEL = {
    "systemInstruction": {"parts": [{"text": "Answer briefly."}]},
    "contents": [{"role": "user", "parts": [{"text": "one two three four five six seven"}]}],
    "generationConfig": {"maxOutputTokens": 3, "stopSequences": ["zzz"], "topP": 0.5},
    "toolConfig": {"functionCallingConfig": {"mode": "NONE"}},
}
SNAKE = {
    "system_instruction": {"parts": [{"text": "Answer briefly."}]},
    "contents": [{"role": "user", "parts": [{"text": "one two three four five six seven"}]}],
    "generation_config": {"max_output_tokens": 3, "stop_sequences": ["zzz"], "top_p": 0.5},
    "tool_config": {"function_calling_config": {"mode": "NONE"}},
}


def sent_upstream(client: httpx.Client, emulator: CopilotEmulator, body: dict) -> tuple:
    emulator.state.chat_requests.clear()
    response = client.post(GENERATE, json=body, headers=GOOGLE_KEY)
    assert response.status_code == 200, response.text
    [upstream] = emulator.state.chat_requests
    answer = response.json()
    answer.pop("responseId", None)
    return upstream, answer


def test_a_body_in_proto_names_is_served_as_its_camel_case_twin(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    camel_upstream, camel_answer = sent_upstream(client, emulator, CAMEL)
    snake_upstream, snake_answer = sent_upstream(client, emulator, SNAKE)
    assert snake_upstream == camel_upstream
    assert camel_upstream["max_tokens"] == 3 and camel_upstream["stop"] == ["zzz"]
    assert camel_upstream["messages"][0] == {"role": "system", "content": "Answer briefly."}
    assert snake_answer == camel_answer
    assert camel_answer["candidates"][0]["finishReason"] == "MAX_TOKENS"


def refusal(response: httpx.Response) -> dict:
    assert response.status_code == 400, response.text
    body = response.json()
    validate_chunk("Error", body, "gemini.yaml")
    error: dict = body["error"]
    assert error["status"] == "INVALID_ARGUMENT" and error["code"] == 400
    return error


DECLARED = {"name": "f", "description": "d", "strict": 1}
UNKNOWN = [  # (path, body, the unknown name, the object holding it)
    (GENERATE, {**CAMEL, "generationConfig": {"max_tokens": 3}}, "max_tokens", "generation_config"),
    (GENERATE, {**CAMEL, "temperature": 0.2}, "temperature", None),
    (
        GENERATE,
        {"contents": [{"role": "user", "parts": [{"text": "hi", "type": "text"}]}]},
        "type",
        "contents[0].parts[0]",
    ),
    (
        GENERATE,
        {**CAMEL, "tools": [{"functionDeclarations": [DECLARED]}]},
        "strict",
        "tools[0].function_declarations[0]",
    ),
    ("/v1/models/gemini-2.5-pro:countTokens", CAMEL, "systemInstruction", None),
    (
        "/v1beta/models/text-embedding-3-small:embedContent",
        {"content": {"text": "hi"}},
        "text",
        "content",
    ),
    (
        "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
        {**CAMEL, "stream": True},
        "stream",
        None,
    ),
]


@pytest.mark.parametrize(("path", "body", "name", "parent"), UNKNOWN, ids=[u[2] for u in UNKNOWN])
def test_an_unknown_name_is_refused_in_googles_words(
    client: httpx.Client,
    emulator: CopilotEmulator,
    path: str,
    body: dict,
    name: str,
    parent: str | None,
) -> None:
    emulator.state.chat_requests.clear()
    error = refusal(client.post(path, json=body, headers=GOOGLE_KEY))
    at = f" at '{parent}'" if parent else ""
    expected = f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.'
    assert error["message"] == expected
    [detail] = error["details"]
    violation = {"description": expected, **({"field": parent} if parent else {})}
    assert detail["fieldViolations"] == [violation]
    assert not emulator.state.chat_requests


def test_a_field_given_by_both_its_names_is_refused(client: httpx.Client) -> None:
    body = {**CAMEL, "generation_config": {"top_p": 0.5}}
    error = refusal(client.post(GENERATE, json=body, headers=GOOGLE_KEY))
    assert '"generationConfig" is given twice' in error["message"]


def test_a_negative_page_size_is_refused(client: httpx.Client) -> None:
    response = client.get("/v1beta/models?pageSize=-1", headers=GOOGLE_KEY)
    assert "pageSize" in refusal(response)["message"]
    assert client.get("/v1beta/models?pageSize=0", headers=GOOGLE_KEY).status_code == 200
