"""POST /v1/responses/compact and /v1/responses/input_tokens over HTTP, both routes."""

from __future__ import annotations

import httpx
import orjson
import pytest

from openapi_oracle import validate_chunk, validate_exchange

# Served natively on /responses; a Claude model (counted by the upstream, served via chat).
MODELS = ["gpt-5.3-codex", "claude-sonnet-4"]
CONVERSATION = [
    {"role": "user", "content": "Plan the release of version 2."},
    {"role": "assistant", "content": "First the changelog, then the tag."},
    {"role": "user", "content": "And then?"},
]


def sse_events(text: str) -> list[dict]:
    events = [
        orjson.loads(raw.split("\n")[1].removeprefix("data: ")) for raw in text.split("\n\n") if raw
    ]
    for event in events:
        validate_chunk("ResponseStreamEvent", event)
    return events


def compact(client: httpx.Client, body: dict) -> dict:
    response = client.post("/v1/responses/compact", json=body)
    validate_exchange(response)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("model", MODELS)
def test_compaction_keeps_the_users_messages_and_one_compaction_item(
    client: httpx.Client, model: str
) -> None:
    compacted = compact(client, {"model": model, "input": CONVERSATION})
    assert compacted["object"] == "response.compaction"
    *kept, item = compacted["output"]
    assert [m["content"][0]["text"] for m in kept] == [
        "Plan the release of version 2.",
        "And then?",
    ]
    assert item["type"] == "compaction" and item["id"].startswith("cmp_")
    assert item["encrypted_content"]
    assert compacted["usage"]["input_tokens"] > 0 and compacted["usage"]["output_tokens"] > 0


@pytest.mark.parametrize("model", MODELS)
def test_a_compacted_conversation_goes_on_with_the_summary_as_context(
    client: httpx.Client, model: str
) -> None:
    output = compact(client, {"model": model, "input": CONVERSATION})["output"]
    follow_up = {"role": "user", "content": "Go on."}
    response = client.post("/v1/responses", json={"model": model, "input": [*output, follow_up]})
    validate_exchange(response)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "completed"
    counted = client.post(
        "/v1/responses/input_tokens", json={"model": model, "input": [*output, follow_up]}
    )
    validate_exchange(counted)
    assert counted.json()["input_tokens"] > 0


def test_a_compaction_item_the_gateway_did_not_make_is_refused_by_name(
    client: httpx.Client,
) -> None:
    foreign = {"type": "compaction", "encrypted_content": "gAAAAABfromsomewhereelse"}
    body = {"model": MODELS[0], "input": [foreign, {"role": "user", "content": "hi"}]}
    for path in ("/v1/responses", "/v1/responses/input_tokens", "/v1/responses/compact"):
        response = client.post(path, json=body)
        validate_exchange(response)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"]["param"] == "input[0].encrypted_content"


def input_tokens(client: httpx.Client, body: dict) -> int:
    response = client.post("/v1/responses/input_tokens", json=body)
    validate_exchange(response)
    assert response.status_code == 200, response.text
    assert response.json()["object"] == "response.input_tokens"
    return int(response.json()["input_tokens"])


@pytest.mark.parametrize("model", MODELS)
def test_input_tokens_grow_with_the_input(client: httpx.Client, model: str) -> None:
    short = input_tokens(client, {"model": model, "input": "hi"})
    assert 0 < short < input_tokens(client, {"model": model, "input": "hi " * 200})


def test_input_tokens_offline_count_instructions_and_tools(client: httpx.Client) -> None:
    tool = {"type": "function", "name": "lookup", "parameters": {"type": "object"}}
    bare = input_tokens(client, {"model": MODELS[0], "input": "hi"})
    assert input_tokens(client, {"model": MODELS[0], "input": "hi", "tools": [tool]}) > bare
    instructed = {"model": MODELS[0], "input": "hi", "instructions": "Answer in French."}
    assert input_tokens(client, instructed) > bare


def test_a_claude_models_input_tokens_are_the_upstreams_count(client: httpx.Client) -> None:
    words = "Count these words, and the system prompt too."
    ours = input_tokens(client, {"model": MODELS[1], "input": words, "instructions": "Be brief."})
    messages = {
        "model": MODELS[1],
        "system": "Be brief.",
        "messages": [{"role": "user", "content": words}],
    }
    theirs = client.post("/v1/messages/count_tokens", json=messages)
    assert theirs.status_code == 200, theirs.text
    assert ours == theirs.json()["input_tokens"]


def test_input_tokens_continue_a_stored_response(client: httpx.Client) -> None:
    first = client.post("/v1/responses", json={"model": MODELS[0], "input": "hi " * 50}).json()
    alone = client.post("/v1/responses/input_tokens", json={"model": MODELS[0], "input": "ok"})
    chained = client.post(
        "/v1/responses/input_tokens",
        json={"model": MODELS[0], "input": "ok", "previous_response_id": first["id"]},
    )
    assert chained.json()["input_tokens"] > alone.json()["input_tokens"] + 50


def test_input_tokens_of_an_unknown_model_or_response_are_404(client: httpx.Client) -> None:
    for body, param in (
        ({"model": "no-such-model", "input": "hi"}, "model"),
        (
            {"model": MODELS[0], "input": "hi", "previous_response_id": "resp_x"},
            "previous_response_id",
        ),
    ):
        response = client.post("/v1/responses/input_tokens", json=body)
        validate_exchange(response)
        assert response.status_code == 404 and response.json()["error"]["param"] == param


@pytest.mark.parametrize("model", MODELS)
def test_a_compaction_trigger_ending_the_input_answers_one_compaction_item(
    client: httpx.Client, model: str
) -> None:
    body = {"model": model, "input": [*CONVERSATION, {"type": "compaction_trigger"}]}
    response = client.post("/v1/responses", json=body)
    validate_exchange(response)
    assert response.status_code == 200, response.text
    (item,) = response.json()["output"]
    assert item["type"] == "compaction" and response.json()["status"] == "completed"
    streamed = client.post("/v1/responses", json={**body, "stream": True})
    events = sse_events(streamed.text)
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.output_item.done",
        "response.completed",
    ]
    assert events[-1]["response"]["output"][0]["type"] == "compaction"
    follow_up = [events[-1]["response"]["output"][0], {"role": "user", "content": "Go on."}]
    going_on = client.post("/v1/responses", json={"model": model, "input": follow_up})
    assert going_on.status_code == 200, going_on.text


def test_a_reasoning_item_sent_back_with_null_content_is_accepted(client: httpx.Client) -> None:
    reasoning: dict[str, object] = {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [],
        "content": None,
    }
    body = {"model": MODELS[1], "input": [*CONVERSATION[:2], reasoning, CONVERSATION[2]]}
    response = client.post("/v1/responses", json=body)
    validate_exchange(response)
    assert response.status_code == 200, response.text
