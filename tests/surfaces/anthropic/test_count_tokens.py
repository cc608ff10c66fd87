"""POST /v1/messages/count_tokens: Copilot's own count for the models it serves on
`/v1/messages`; the gateway's offline estimate for the rest, and whenever Copilot cannot
count (a failure, a spent window, no such path); a refusal of the request itself passed on
in Anthropic's shape."""

from __future__ import annotations

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.surfaces.anthropic.count_tokens import offline_count
from openapi_oracle import validate_chunk

NATIVE, TRANSLATED = "claude-sonnet-4", "gpt-4o"
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


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=503, body='{"error":{"message":"down"}}'),
        Fault(status=429, body='{"error":{"message":"spent","code":"user_weekly_rate_limited"}}'),
        Fault(status=404, body="404 page not found"),
    ],
    ids=["unavailable", "window spent", "no such path"],
)
def test_when_copilot_cannot_count_the_offline_estimate_serves(
    client: httpx.Client, emulator: CopilotEmulator, fault: Fault
) -> None:
    client.get("/v1/models")
    emulator.state.faults.append(fault)
    body = count_body(NATIVE)
    assert counted(client.post("/v1/messages/count_tokens", json=body)) == offline_count(
        body, NATIVE
    )
