"""POST /v1beta/models/{model}:countTokens: Copilot's own count for the models it serves on
`/v1/messages` (asked as a Messages request), the offline count for the rest and whenever
Copilot cannot count."""

from __future__ import annotations

import httpx

from conftest import API_KEY
from copilot_gateway import tokens
from copilot_gateway.emulator import CopilotEmulator, Fault, counting
from copilot_gateway.emulator.messages_format import chat_like
from copilot_gateway.surfaces.gemini.contents import chat_messages
from copilot_gateway.surfaces.gemini.messages import messages_body
from openapi_oracle import validate_chunk

CLAUDE, GEMINI = "claude-sonnet-4.5", "gemini-2.5-pro"
GOOGLE_KEY = {"x-goog-api-key": API_KEY}
BODY = {
    "contents": [
        {"role": "user", "parts": [{"text": "What is the weather like in Paris today?"}]},
        {"role": "model", "parts": [{"functionCall": {"id": "c1", "name": "look", "args": {}}}]},
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"id": "c1", "name": "look", "response": {"sky": "blue"}}}
            ],
        },
    ]
}


def counted(client: httpx.Client, model: str) -> int:
    response = client.post(f"/v1beta/models/{model}:countTokens", json=BODY, headers=GOOGLE_KEY)
    assert response.status_code == 200, response.text
    validate_chunk("CountTokensResponse", response.json(), "gemini.yaml")
    return int(response.json()["totalTokens"])


def offline(model: str) -> int:
    return tokens.count_prompt(chat_messages(BODY), model)


def test_a_claude_model_is_counted_by_copilot_as_a_messages_request(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    counted(client, GEMINI)  # the catalogue fetched, if it was not
    before = len(emulator.state.seen_headers)
    got = counted(client, CLAUDE)
    asked = messages_body(CLAUDE, chat_messages(BODY), [])
    assert got == counting.prompt_tokens(chat_like(asked)["messages"], CLAUDE)
    [sent] = list(emulator.state.seen_headers)[before:]
    assert sent["anthropic-version"] and sent["x-initiator"] == "agent"  # no turn of the user's


def test_a_model_served_only_on_chat_is_counted_offline_without_asking_copilot(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    counted(client, GEMINI)  # the catalogue fetched, if it was not
    before = len(emulator.state.seen_headers)
    assert counted(client, GEMINI) == offline(GEMINI)
    assert len(emulator.state.seen_headers) == before


def test_when_copilot_cannot_count_the_offline_count_serves(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    counted(client, GEMINI)
    emulator.state.faults.append(Fault(status=404, body="404 page not found"))
    assert counted(client, CLAUDE) == offline(CLAUDE)
    assert not emulator.state.faults  # Copilot was asked, and could not count
