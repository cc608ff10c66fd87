"""POST /v1/messages/count_tokens: Copilot's own count for the models it serves on
`/v1/messages`; the gateway's offline estimate for the rest, and whenever Copilot cannot
count (a failure, a spent window, no such path); a refusal of the request itself passed on
in Anthropic's shape."""

from __future__ import annotations

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.emulator.messages_format import input_tokens
from copilot_gateway.surfaces.anthropic.count_tokens import offline_count
from openapi_oracle import validate_chunk

NATIVE, TRANSLATED = "claude-sonnet-4.5", "gpt-4o"
DATED = "claude-sonnet-4-5-20250929"
UNSUPPORTED = (
    '{"error":{"message":"model is not accessible via the /v1/messages/count_tokens endpoint",'
    '"code":"unsupported_api_for_model"}}'
)
TOOL = {"name": "look", "description": "Look it up.", "input_schema": {"type": "object"}}


def count_body(model: str) -> dict:
    return {
        "model": model,
        "system": "Be brief.",
        "tools": [TOOL],
        "messages": [{"role": "user", "content": "What is the weather like in Paris today?"}],
    }


def counted(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    validate_chunk("MessageTokensCount", response.json(), "anthropic.yaml")
    return int(response.json()["input_tokens"])


def test_a_model_served_only_on_chat_is_counted_offline_without_asking_copilot(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    before = len(emulator.state.seen_headers)
    body = count_body(TRANSLATED)
    assert counted(client.post("/v1/messages/count_tokens", json=body)) == offline_count(
        body, TRANSLATED
    )
    assert len(emulator.state.seen_headers) == before


def test_a_model_copilot_serves_on_messages_is_counted_by_copilot(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    body = count_body(NATIVE)
    got = counted(client.post("/v1/messages/count_tokens", json=body))
    # The emulator's own count of the same request (what Copilot's tokenizer would say).
    assert got == input_tokens(body)
    assert got != offline_count(body, NATIVE)
    sent = emulator.state.seen_headers[-1]
    assert sent["anthropic-version"] and sent["x-initiator"] == "agent"  # no turn of the user's


def test_a_dated_name_is_counted_as_the_model_it_resolves_to(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    body = count_body(NATIVE)
    dated = counted(client.post("/v1/messages/count_tokens", json={**body, "model": DATED}))
    assert dated == counted(client.post("/v1/messages/count_tokens", json=body))


@pytest.mark.parametrize(
    "faults",
    [
        [Fault(status=503, body='{"error":{"message":"down"}}')] * 3,  # every try
        [Fault(status=404, body="404 page not found")],
        [Fault(status=400, body=UNSUPPORTED)],
    ],
    ids=["unavailable", "no such path", "not counted for this model"],
)
def test_when_copilot_cannot_count_the_offline_estimate_serves(
    client: httpx.Client, emulator: CopilotEmulator, faults: list[Fault]
) -> None:
    client.get("/v1/models")
    emulator.state.faults.extend(faults)
    body = count_body(NATIVE)
    assert counted(client.post("/v1/messages/count_tokens", json=body)) == offline_count(
        body, NATIVE
    )
    assert not emulator.state.faults  # Copilot was asked, and could not count


def test_copilots_refusal_of_the_request_itself_is_passed_on(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    refusal = '{"error":{"message":"messages.0: tool_result without tool_use",'
    emulator.state.faults.append(Fault(status=400, body=refusal + '"code":"invalid_request"}}'))
    response = client.post("/v1/messages/count_tokens", json=count_body(NATIVE))
    assert response.status_code == 400
    validate_chunk("ErrorResponse", response.json(), "anthropic.yaml")
    error = response.json()["error"]
    assert error == {
        "type": "invalid_request_error",
        "message": "messages.0: tool_result without tool_use",
    }
