"""A thinking model on chat (a Gemini model asked to think): Copilot's `reasoning_text` reaches
a Gemini client as `thought: true` parts when it asks for them (`includeThoughts`), never
otherwise; `reasoning_opaque` is the turn's `thoughtSignature`, on a part the client keeps,
and goes back to Copilot as the assistant message's `reasoning_opaque` on the next turn."""

from __future__ import annotations

import httpx
import orjson
import pytest

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator, catalog, reasoning
from openapi_oracle import validate_chunk

THINKER = "gemini-3-flash-preview"
GOOGLE_KEY = {"x-goog-api-key": API_KEY}
GENERATE = f"/v1beta/models/{THINKER}:generateContent"
STREAM = f"/v1beta/models/{THINKER}:streamGenerateContent?alt=sse"
ASKED = {"role": "user", "parts": [{"text": "What is the weather like in Paris?"}]}
THOUGHT = "Thinking about: What is the weather like in Paris?"
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


def signature_made(emulator: CopilotEmulator) -> str:
    """The signature the emulator made for the thought of its last chat answer."""
    thought = reasoning.thought_for(catalog.BY_ID[THINKER], emulator.state.chat_requests[-1])
    assert thought is not None
    return thought.signature


def thinking(include: bool) -> dict:
    return {"thinkingConfig": {"thinkingLevel": "HIGH", "includeThoughts": include}}


def parts_answered(client: httpx.Client, body: dict, stream: bool) -> tuple[list[dict], dict]:
    """The parts of the one candidate (a stream's, joined) and the last usageMetadata."""
    response = client.post(STREAM if stream else GENERATE, json=body, headers=GOOGLE_KEY)
    assert response.status_code == 200, response.text
    if stream:
        chunks = [orjson.loads(raw[6:]) for raw in response.text.split("\r\n\r\n") if raw]
    else:
        chunks = [response.json()]
    for chunk in chunks:
        validate_chunk("GenerateContentResponse", chunk, "gemini.yaml")
    parts = [part for chunk in chunks for part in chunk["candidates"][0]["content"]["parts"]]
    return parts, chunks[-1]["usageMetadata"]


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
def test_thoughts_are_parts_marked_thought_with_include_thoughts(
    client: httpx.Client, emulator: CopilotEmulator, stream: bool
) -> None:
    body = {"contents": [ASKED], "generationConfig": thinking(True)}
    parts, usage = parts_answered(client, body, stream)
    assert emulator.state.chat_requests[-1]["reasoning_effort"] == "high"
    thoughts = [part for part in parts if part.get("thought")]
    assert "".join(part["text"] for part in thoughts) == THOUGHT
    assert parts[0].get("thought")  # the thought comes before the answer
    answer = "".join(part["text"] for part in parts if not part.get("thought"))
    assert answer.startswith(f"Hello from the {THINKER} emulator.")
    assert usage["thoughtsTokenCount"] > 0
    total = usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    assert usage["totalTokenCount"] == total


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
def test_no_thought_is_shown_without_include_thoughts(client: httpx.Client, stream: bool) -> None:
    parts, usage = parts_answered(
        client, {"contents": [ASKED], "generationConfig": thinking(False)}, stream
    )
    assert not any(part.get("thought") for part in parts)
    assert THOUGHT not in "".join(part.get("text", "") for part in parts)
    assert usage["thoughtsTokenCount"] > 0  # it thought all the same


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
def test_the_thought_signature_of_a_function_call_goes_back_on_the_next_turn(
    client: httpx.Client, emulator: CopilotEmulator, stream: bool
) -> None:
    body = {"contents": [ASKED], "tools": [WEATHER], "generationConfig": thinking(True)}
    parts, _ = parts_answered(client, body, stream)
    signature = signature_made(emulator)
    [call] = [part for part in parts if "functionCall" in part]
    assert call["thoughtSignature"] == signature  # Gemini signs a turn's first call
    # Sent back as Gemini CLI does: the model's turn without its thoughts.
    turn = {"role": "model", "parts": [part for part in parts if not part.get("thought")]}
    answer = {"id": call["functionCall"]["id"], "name": "get_weather", "response": {"sky": "blue"}}
    follow = [ASKED, turn, {"role": "user", "parts": [{"functionResponse": answer}]}]
    parts_answered(client, {**body, "contents": follow}, stream)
    assistant = emulator.state.chat_requests[-1]["messages"][1]
    assert assistant["role"] == "assistant" and assistant["reasoning_opaque"] == signature
    assert "reasoning_text" not in assistant  # only the signature goes back


def test_a_text_answers_signature_is_on_its_text_not_on_its_thought(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    parts, _ = parts_answered(
        client, {"contents": [ASKED], "generationConfig": thinking(True)}, stream=False
    )
    [signed] = [part for part in parts if "thoughtSignature" in part]
    assert not signed.get("thought") and signed["text"]
    assert signed["thoughtSignature"] == signature_made(emulator)
