"""Copilot keeps no state over HTTP `/responses` (it answers 400 to `store: true`,
`background: true` and `previous_response_id`): the gateway keeps it. A model served
natively gets its request passed through without them (the whole conversation as `input`,
`store: false`), streamed or not, and `previous_response_id` still continues the
conversation, from the gateway's own store."""

from __future__ import annotations

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, catalog

# A model the emulator serves on /responses (natively), whichever its catalogue lists.
NATIVE = next(
    model["id"]
    for model in catalog.MODELS
    if "/responses" in (model.get("supported_endpoints") or [])
    and (model.get("policy") or {}).get("state", "enabled") == "enabled"
)
STATE_FIELDS = ("previous_response_id", "background", "conversation")


def text_of(response: dict) -> str:
    return "".join(
        part.get("text", "")
        for item in response["output"]
        if item.get("type") == "message"
        for part in item["content"]
    )


def created(client: httpx.Client, body: dict) -> dict:
    """A response, streamed or not: the final response object either way."""
    answer = client.post("/v1/responses", json=body)
    assert answer.status_code == 200, answer.text
    if not body.get("stream"):
        return dict(answer.json())
    last = [line for line in answer.text.splitlines() if line.startswith("data: ")][-1]
    event = httpx.Response(200, content=last[len("data: ") :]).json()
    assert event["type"] == "response.completed"
    return dict(event["response"])


@pytest.mark.parametrize("stream", [False, True])
def test_copilot_never_gets_the_state_fields_and_the_conversation_goes_on(
    client: httpx.Client, emulator: CopilotEmulator, stream: bool
) -> None:
    first = created(
        client,
        {"model": NATIVE, "input": "Remember: blue", "store": True, "stream": stream},
    )
    follow_up = {
        "model": NATIVE,
        "input": "What colour?",
        "previous_response_id": first["id"],
        "store": True,
        "background": False,
        "stream": stream,
    }
    second = created(client, follow_up)
    sent = list(emulator.state.responses_requests)
    assert len(sent) == 2
    for body in sent:
        assert not any(field in body for field in STATE_FIELDS), body
        assert body["store"] is False  # what Codex sends Copilot itself
    # The continued turn carried the first: its input, then its output, then the new input.
    texts = [str(item.get("content")) for item in sent[1]["input"]]
    assert "Remember: blue" in texts[0] and "What colour?" in texts[-1]
    assert len(sent[1]["input"]) > 2
    # The client sees the state it asked for, kept by the gateway.
    assert second["previous_response_id"] == first["id"] and second["store"] is True
    kept = client.get(f"/v1/responses/{second['id']}")
    assert kept.status_code == 200 and text_of(kept.json()) == text_of(second)
    assert len(emulator.state.responses_requests) == 2  # served from the gateway's store


def test_background_runs_are_refused_by_name_before_copilot(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    answer = client.post("/v1/responses", json={"model": NATIVE, "input": "hi", "background": True})
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "background"
    assert not emulator.state.responses_requests


def test_an_unknown_previous_response_is_404_before_copilot(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    body = {"model": NATIVE, "input": "hi", "previous_response_id": "resp_nowhere"}
    answer = client.post("/v1/responses", json=body)
    assert answer.status_code == 404
    assert answer.json()["error"]["param"] == "previous_response_id"
    assert not emulator.state.responses_requests
