"""A Claude model's `generateContent` and `streamGenerateContent` go where Copilot's catalogue
serves it natively, `/v1/messages` (the emulator's request log says what reached it), and
come back in Google's shapes: text, function calls with their ids, thoughts with
`includeThoughts`, a `thoughtSignature` that carries the turn's thinking back whole. What
Messages cannot carry goes over chat, which serves the model too."""

from __future__ import annotations

import base64

import httpx
import orjson
import pytest

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.errors import InvalidRequest
from copilot_gateway.surfaces.anthropic.endpoints import MESSAGES
from copilot_gateway.surfaces.gemini.generate import route
from copilot_gateway.surfaces.gemini.requests import chat_request
from copilot_gateway.upstreams.base import ModelInfo
from openapi_oracle import validate_chunk

CLAUDE = "claude-sonnet-4.5"
GOOGLE_KEY = {"x-goog-api-key": API_KEY}
GENERATE = f"/v1beta/models/{CLAUDE}:generateContent"
STREAM = f"/v1beta/models/{CLAUDE}:streamGenerateContent"
ASKED = {"role": "user", "parts": [{"text": "What is the weather like in Paris?"}]}
WEATHER = {
    "functionDeclarations": [
        {
            "name": "get_weather",
            "description": "The weather in a city.",
            "parametersJsonSchema": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        }
    ]
}
THINKING = {"thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": True}}


def generated(client: httpx.Client, body: dict) -> dict:
    response = client.post(GENERATE, json=body, headers=GOOGLE_KEY)
    assert response.status_code == 200, response.text
    answer: dict = response.json()
    validate_chunk("GenerateContentResponse", answer, "gemini.yaml")
    return answer


def streamed(client: httpx.Client, body: dict, sse: bool) -> list[dict]:
    path = STREAM + "?alt=sse" if sse else STREAM
    response = client.post(path, json=body, headers=GOOGLE_KEY)
    assert response.status_code == 200, response.text
    if sse:
        chunks = [orjson.loads(raw[6:]) for raw in response.text.split("\r\n\r\n") if raw]
    else:
        chunks = response.json()
    for chunk in chunks:
        validate_chunk("GenerateContentResponse", chunk, "gemini.yaml")
    return chunks


def parts_of(chunks: list[dict]) -> list[dict]:
    return [part for chunk in chunks for part in chunk["candidates"][0]["content"]["parts"]]


def test_a_generate_call_reaches_copilots_messages_endpoint(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    body = {
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": "user", "parts": [{"text": "one two three"}]}],
        "generationConfig": {"maxOutputTokens": 200, "stopSequences": ["END"], "temperature": 0.5},
    }
    answer = generated(client, body)
    [sent] = emulator.state.messages_requests
    assert not emulator.state.chat_requests
    assert sent["system"] == "Be brief." and sent["max_tokens"] == 200
    assert sent["stop_sequences"] == ["END"] and sent["temperature"] == 0.5
    assert sent["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "one two three"}]}
    ]
    [candidate] = answer["candidates"]
    assert candidate["content"]["parts"] == [
        {"text": f"Hello from the {CLAUDE} emulator. You said: one two three"}
    ]
    assert candidate["finishReason"] == "STOP"
    usage = answer["usageMetadata"]
    assert usage["promptTokenCount"] and usage["candidatesTokenCount"]


@pytest.mark.parametrize("sse", [True, False], ids=["sse", "json-array"])
def test_a_stream_reaches_copilots_messages_endpoint(
    client: httpx.Client, emulator: CopilotEmulator, sse: bool
) -> None:
    chunks = streamed(client, {"contents": [ASKED]}, sse)
    [sent] = emulator.state.messages_requests
    assert sent["stream"] is True and not emulator.state.chat_requests
    text = "".join(part.get("text", "") for part in parts_of(chunks))
    assert text == f"Hello from the {CLAUDE} emulator. You said: What is the weather like in Paris?"
    assert len(chunks) > 2
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert chunks[-1]["usageMetadata"]["candidatesTokenCount"]


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
def test_a_function_call_round_trip_goes_over_messages_with_its_id(
    client: httpx.Client, emulator: CopilotEmulator, stream: bool
) -> None:
    body = {
        "contents": [ASKED],
        "tools": [WEATHER],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY"}},
    }
    if stream:
        parts = parts_of(streamed(client, body, sse=True))
    else:
        parts = generated(client, body)["candidates"][0]["content"]["parts"]
    [call] = [part["functionCall"] for part in parts if "functionCall" in part]
    assert call["name"] == "get_weather" and call["id"].startswith("toolu_")
    assert isinstance(call["args"]["city"], str)
    assert emulator.state.messages_requests[-1]["tool_choice"] == {"type": "any"}
    answer = {
        "functionResponse": {"id": call["id"], "name": call["name"], "response": {"sky": "blue"}}
    }
    turn = {"role": "model", "parts": [{"functionCall": call}]}
    follow = {"contents": [ASKED, turn, {"role": "user", "parts": [answer]}], "tools": [WEATHER]}
    reply = generated(client, follow)
    sent = emulator.state.messages_requests[-1]["messages"]
    assert sent[1]["content"][0]["id"] == call["id"]
    assert sent[2]["content"] == [
        {"type": "tool_result", "tool_use_id": call["id"], "content": '{"sky":"blue"}'}
    ]
    assert "The tool said:" in reply["candidates"][0]["content"]["parts"][0]["text"]
    assert not emulator.state.chat_requests


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
def test_thinking_is_shown_with_include_thoughts_and_goes_back_whole(
    client: httpx.Client, emulator: CopilotEmulator, stream: bool
) -> None:
    body = {"contents": [ASKED], "tools": [WEATHER], "generationConfig": THINKING}
    if stream:
        parts = parts_of(streamed(client, body, sse=True))
    else:
        parts = generated(client, body)["candidates"][0]["content"]["parts"]
    first = emulator.state.messages_requests[-1]
    assert first["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    thoughts = "".join(part["text"] for part in parts if part.get("thought"))
    assert thoughts == "Thinking about: What is the weather like in Paris?"
    [signed] = [part for part in parts if "thoughtSignature" in part]
    [block] = orjson.loads(base64.b64decode(signed["thoughtSignature"]))
    assert block["type"] == "thinking" and block["thinking"] == thoughts and block["signature"]
    # The client sends the turn back without its thoughts, as Gemini CLI does: the
    # signature alone brings the thinking block back before the text, as Claude wants it.
    turn = {"role": "model", "parts": [part for part in parts if not part.get("thought")]}
    follow = {"contents": [ASKED, turn, {"role": "user", "parts": [{"text": "thanks"}]}]}
    generated(client, {**follow, "generationConfig": THINKING})
    assistant = emulator.state.messages_requests[-1]["messages"][1]
    assert assistant["role"] == "assistant" and assistant["content"][0] == block


def test_no_thoughts_are_shown_without_include_thoughts(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    config = {"thinkingConfig": {"thinkingBudget": 4096}, "temperature": 0.2}
    parts = generated(client, {"contents": [ASKED], "generationConfig": config})["candidates"][0][
        "content"
    ]["parts"]
    assert not any(part.get("thought") for part in parts)
    assert parts[0]["thoughtSignature"]  # the thinking still goes back with the turn
    sent = emulator.state.messages_requests[-1]
    assert sent["thinking"]["budget_tokens"] == 4096
    assert "temperature" not in sent  # Claude takes none while it thinks


def test_what_messages_cannot_carry_goes_over_chat(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    body = {"contents": [ASKED], "generationConfig": {"candidateCount": 2}}
    answer = generated(client, body)
    assert len(answer["candidates"]) == 2
    assert not emulator.state.messages_requests
    [sent] = emulator.state.chat_requests
    assert sent["n"] == 2


def test_for_a_model_served_only_on_messages_what_it_cannot_carry_is_refused_by_name() -> None:
    only_messages = ModelInfo("claude-x", "chat", ("/v1/messages",), {"id": "claude-x"})
    config = {"seed": 7}
    request = chat_request(
        {"contents": [ASKED], "generationConfig": config}, "claude-x", stream=False
    )
    with pytest.raises(InvalidRequest) as refused:
        route(only_messages, request, config)
    assert refused.value.param == "generationConfig.seed"
    plain = chat_request({"contents": [ASKED]}, "claude-x", stream=False)
    assert route(only_messages, plain, {}) is MESSAGES
