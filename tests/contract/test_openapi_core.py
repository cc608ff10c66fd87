"""Every request and response of real exchanges, validated by openapi-core, not connexion."""

from __future__ import annotations

import httpx
import orjson
import pytest

from openapi_oracle import sse_chunks, validate_chunk, validate_exchange

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    }
]
CHAT_BODIES = [
    {"model": "gpt-4o", "messages": [{"role": "user", "content": "plain"}]},
    {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
        "max_tokens": None,
        "stop": None,
        "temperature": None,
        "n": 2,
    },
    {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "tool"}],
        "tools": TOOLS,
        "tool_choice": "required",
    },
    {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "cut"}],
        "max_completion_tokens": 2,
    },
    {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "json"}],
        "response_format": {"type": "json_object"},
    },
]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/models", 200),
        ("/models", 200),
        ("/v1/models/gpt-4o", 200),
        ("/v1/models/missing", 404),
        ("/healthz", 200),
    ],
)
def test_model_exchanges_conform(client: httpx.Client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status, response.text
    validate_exchange(response)


@pytest.mark.parametrize("body", CHAT_BODIES)
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/openai"])
def test_chat_exchanges_conform(client: httpx.Client, body: dict, path: str) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    validate_exchange(response)


@pytest.mark.parametrize("body", CHAT_BODIES)
@pytest.mark.parametrize("include_usage", [False, True])
def test_every_chat_stream_chunk_conforms(
    client: httpx.Client, body: dict, include_usage: bool
) -> None:
    response = client.post(
        "/v1/chat/completions",
        json={**body, "stream": True, "stream_options": {"include_usage": include_usage}},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    chunks = sse_chunks(response.text)
    assert chunks
    for chunk in chunks:
        validate_chunk("CreateChatCompletionStreamResponse", chunk)
    assert (chunks[-1]["choices"] == [] and "usage" in chunks[-1]) is include_usage


@pytest.mark.parametrize(
    "body",
    [
        {"model": "gpt-4o", "prompt": "one"},
        {"model": "gpt-4o", "prompt": ["one", "two"], "n": 2, "echo": True, "max_tokens": 30},
    ],
)
def test_legacy_completions_conform_streamed_and_not(client: httpx.Client, body: dict) -> None:
    answer = client.post("/v1/completions", json=body)
    assert answer.status_code == 200, answer.text
    validate_exchange(answer)
    response = client.post(
        "/v1/completions", json={**body, "stream": True, "stream_options": {"include_usage": True}}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    chunks = sse_chunks(response.text)
    assert chunks
    for chunk in chunks:
        validate_chunk("CreateCompletionStreamResponse", chunk)


@pytest.mark.parametrize(
    "body",
    [
        {"model": "text-embedding-3-small", "input": "one"},
        {
            "model": "text-embedding-3-small",
            "input": ["one", "two"],
            "encoding_format": "base64",
            "dimensions": 16,
        },
        {"model": "text-embedding-3-small", "input": [[9906, 1917]]},
    ],
)
def test_embedding_exchanges_conform(client: httpx.Client, body: dict) -> None:
    response = client.post("/v1/embeddings", json=body)
    assert response.status_code == 200
    validate_exchange(response)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/v1/chat/completions", {"model": "gpt-4o"}, 400),
        (
            "POST",
            "/v1/chat/completions",
            {"model": "gpt-4o", "messages": [{"role": "robot", "content": "x"}]},
            400,
        ),
        ("POST", "/v1/embeddings", {"model": "text-embedding-3-small", "input": []}, 400),
        ("GET", "/v1/models/nope", None, 404),
    ],
)
def test_error_responses_conform(
    client: httpx.Client, method: str, path: str, body: dict | None, status: int
) -> None:
    from openapi_oracle import HttpxOpenAPIRequest, HttpxOpenAPIResponse, api

    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    api().validate_response(HttpxOpenAPIRequest(response.request), HttpxOpenAPIResponse(response))


def test_the_oracle_rejects_a_broken_chunk() -> None:
    """The checks above can fail: a chunk without `created` does not pass."""
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

    chunk = {
        "id": "x",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": 0, "delta": {}, "finish_reason": None}],
    }
    with pytest.raises(InvalidSchemaValue):
        validate_chunk("CreateChatCompletionStreamResponse", chunk)
    with pytest.raises(AssertionError):
        sse_chunks('data: {"a": 1}\n\n')


ANTHROPIC = "anthropic.yaml"
WEATHER = {
    "name": "get_weather",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
MESSAGE_BODIES = [
    {"max_tokens": 50, "messages": [{"role": "user", "content": "plain"}]},
    {
        "max_tokens": 50,
        "system": "be brief",
        "temperature": 0.3,
        "top_p": 0.9,
        "top_k": 10,
        "stop_sequences": ["END"],
        "metadata": {"user_id": "u-1"},
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
            {"role": "assistant", "content": []},
        ],
    },
    {
        "max_tokens": 200,
        "tools": [WEATHER],
        "tool_choice": {"type": "any"},
        "messages": [{"role": "user", "content": "weather in Paris?"}],
    },
]


def anthropic_events(text: str) -> list[tuple[str, dict]]:
    """The named events of a whole Anthropic stream, its framing checked."""
    events = []
    for raw in text.removesuffix("\n\n").split("\n\n"):
        name_line, data_line = raw.split("\n")
        assert name_line.startswith("event: ") and data_line.startswith("data: "), raw[:80]
        events.append((name_line[len("event: ") :], orjson.loads(data_line[len("data: ") :])))
    return events


@pytest.mark.parametrize("body", MESSAGE_BODIES)
@pytest.mark.parametrize("model", ["claude-sonnet-4", "gpt-4o"])  # native, translated
def test_anthropic_exchanges_conform_streamed_and_not(
    client: httpx.Client, model: str, body: dict
) -> None:
    answer = client.post("/v1/messages", json={"model": model, **body})
    assert answer.status_code == 200, answer.text
    validate_exchange(answer, ANTHROPIC)
    streamed = client.post("/v1/messages", json={"model": model, **body, "stream": True})
    assert streamed.status_code == 200, streamed.text
    validate_exchange(streamed, ANTHROPIC)  # the request (openapi-core cannot read SSE)
    events = anthropic_events(streamed.text)
    assert events[0][0] == "message_start" and events[-1][0] == "message_stop"
    for name, event in events:
        assert event["type"] == name
        validate_chunk("MessageStreamEvent", event, ANTHROPIC)
    counted = client.post("/v1/messages/count_tokens", json={"model": model, **body})
    assert counted.status_code == 200, counted.text
    validate_exchange(counted, ANTHROPIC)


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/messages", {"model": "gpt-4o", "max_tokens": 5, "messages": []}, 400),
        ("/v1/messages/count_tokens", {"model": "gpt-4o", "messages": []}, 400),
        (
            "/v1/messages",
            {
                "model": "gpt-4o",
                "max_tokens": 5,
                "temperature": {},
                "messages": [{"role": "user", "content": "x"}],
            },
            400,
        ),
        (
            "/v1/messages",
            {"model": "nope", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
            404,
        ),
    ],
)
def test_anthropic_error_responses_conform(
    client: httpx.Client, path: str, body: dict, status: int
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    assert response.json()["type"] == "error"
    validate_exchange(response, ANTHROPIC)
