"""Every Response carries the fields the real API (and Open Responses) always returns, on
every route: native and translated, streamed snapshots, and stored ones read back."""

from __future__ import annotations

import httpx
import orjson
import pytest

from openapi_oracle import validate_chunk, validate_exchange

EVERY_FIELD = {
    "completed_at",
    "presence_penalty",
    "frequency_penalty",
    "top_logprobs",
    "max_tool_calls",
    "background",
    "service_tier",
    "safety_identifier",
    "prompt_cache_key",
    "usage",
    "store",
    "previous_response_id",
    "parallel_tool_calls",
    "text",
    "truncation",
}
# Served natively on /responses; served through chat, translated.
MODELS = ["gpt-5.3-codex", "claude-sonnet-4"]


def snapshots(text: str) -> dict[str, dict]:
    """The Response each streamed event that carries one carries, by event type."""
    found = {}
    for raw in text.split("\n\n"):
        if raw:
            data = orjson.loads(raw.split("\n")[1].removeprefix("data: "))
            validate_chunk("ResponseStreamEvent", data)
            if isinstance(data.get("response"), dict):
                found[data["type"]] = data["response"]
    return found


def assert_done(response: dict) -> None:
    assert set(response) >= EVERY_FIELD, EVERY_FIELD - set(response)
    assert response["status"] == "completed"
    assert response["completed_at"] >= response["created_at"]
    assert response["usage"]["total_tokens"] > 0
    assert (response["background"], response["service_tier"]) == (False, "default")
    assert (response["presence_penalty"], response["frequency_penalty"]) == (0, 0)
    assert response["top_logprobs"] == 0 and response["max_tool_calls"] is None


@pytest.mark.parametrize("model", MODELS)
def test_a_response_and_its_stored_copy_have_every_field(client: httpx.Client, model: str) -> None:
    created = client.post("/v1/responses", json={"model": model, "input": "hi"})
    validate_exchange(created)
    assert_done(created.json())
    read = client.get(f"/v1/responses/{created.json()['id']}")
    validate_exchange(read)
    assert read.json() == created.json()


@pytest.mark.parametrize("model", MODELS)
def test_streamed_snapshots_have_every_field_usage_null_until_done(
    client: httpx.Client, model: str
) -> None:
    body = {"model": model, "input": "hi", "stream": True, "safety_identifier": "u-1"}
    found = snapshots(client.post("/v1/responses", json=body).text)
    for kind in ("response.created", "response.in_progress"):
        snapshot = found[kind]
        assert set(snapshot) >= EVERY_FIELD, (kind, EVERY_FIELD - set(snapshot))
        assert snapshot["usage"] is None and snapshot["completed_at"] is None
        assert snapshot["safety_identifier"] == "u-1"
    assert_done(found["response.completed"])
    stored = client.get(f"/v1/responses/{found['response.completed']['id']}").json()
    assert stored == found["response.completed"]
