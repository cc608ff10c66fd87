"""/v1/responses over plain HTTP: the wire format the SDKs rely on, and refusals."""

from __future__ import annotations

import httpx
import orjson

from copilot_gateway.emulator import CopilotEmulator
from openapi_oracle import validate_chunk, validate_exchange

NATIVE = "gpt-5.3-codex"  # served on Copilot's /responses, passed through


def named_events(text: str) -> list[tuple[str, dict]]:
    """A Responses stream's events: each `event: NAME` then one `data: {json}` line."""
    events = []
    for raw in text.split("\n\n"):
        if not raw:
            continue
        name_line, data_line = raw.split("\n")
        assert name_line.startswith("event: ") and data_line.startswith("data: "), raw[:80]
        data = orjson.loads(data_line[len("data: ") :])
        assert data["type"] == name_line[len("event: ") :]
        events.append((data["type"], data))
    return events


def test_a_stream_is_named_events_numbered_from_0_without_done(client: httpx.Client) -> None:
    body = {"model": "claude-sonnet-4", "input": "Name the events", "stream": True}
    response = client.post("/v1/responses", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "[DONE]" not in response.text
    events = named_events(response.text)
    for _, data in events:
        validate_chunk("ResponseStreamEvent", data)
    assert [data["sequence_number"] for _, data in events] == list(range(len(events)))
    assert [name for name, _ in events][:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert events[-1][0] == "response.completed"
    assert events[-1][1]["response"]["output"][0]["content"][0]["text"].endswith("Name the events")


def test_a_model_is_required(client: httpx.Client) -> None:
    response = client.post("/v1/responses", json={"input": "hi"})
    validate_exchange(response)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "model"


def test_a_bad_query_parameter_is_named_in_param(client: httpx.Client) -> None:
    for query, param in (({"limit": "many"}, "limit"), ({"order": "sideways"}, "order")):
        response = client.get("/v1/responses/resp_unknown/input_items", params=query)
        validate_exchange(response)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["param"] == param and error["type"] == "invalid_request_error"
        assert "Failed validating" not in error["message"]  # a line, not the schema


def test_wrong_methods_name_every_method_of_the_path(client: httpx.Client) -> None:
    response = client.put("/v1/responses/resp_1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, HEAD"
    assert client.put("/v1/responses").headers["allow"] == "POST"


def test_an_unknown_response_is_404_in_openai_shape(client: httpx.Client) -> None:
    for response in (
        client.get("/v1/responses/resp_unknown"),
        client.delete("/v1/responses/resp_unknown"),
        client.get("/v1/responses/resp_unknown/input_items"),
    ):
        validate_exchange(response)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "response_not_found"


def test_a_reasoning_item_handed_back_without_its_id_reaches_copilot_as_sent(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    """With `store: false` a client (opencode's AI SDK) hands reasoning back by its encrypted
    content alone, as the real API takes it: no id is made up for it on the way to Copilot,
    and a stored turn lists it with one."""
    first = client.post("/v1/responses", json={"model": NATIVE, "input": "Think", "store": False})
    (reasoning,) = [item for item in first.json()["output"] if item["type"] == "reasoning"]
    handed_back = {key: reasoning[key] for key in ("type", "summary", "encrypted_content")}
    conversation = [
        {"role": "user", "content": "Think"},
        handed_back,
        {"role": "user", "content": "Again"},
    ]
    for store in (False, True):
        body = {"model": NATIVE, "input": conversation, "store": store}
        second = client.post("/v1/responses", json=body)
        validate_exchange(second)
        assert second.status_code == 200, second.text
        sent = emulator.state.responses_requests[-1]["input"]
        assert [item for item in sent if item.get("type") == "reasoning"] == [handed_back]
    listed = client.get(f"/v1/responses/{second.json()['id']}/input_items")
    validate_exchange(listed)
    (kept,) = [item for item in listed.json()["data"] if item["type"] == "reasoning"]
    assert kept["id"].startswith("rs_")
    assert kept["encrypted_content"] == reasoning["encrypted_content"]
