"""Upstream failures reach the client as OpenAI errors: statuses, timeouts, cut streams."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from copilot_gateway.emulator import CopilotEmulator, Fault
from openapi_oracle import validate_chunk
from servers import gateway_settings, running, serving

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
STREAM = {**CHAT, "stream": True}


def sse_data(text: str) -> list[str]:
    """The data of each event, each chunk and error event checked against the spec."""
    events = [line[6:] for line in text.split("\n\n") if line.startswith("data: ")]
    for data in events:
        if data != "[DONE]":
            body = orjson.loads(data)
            schema = "ErrorResponse" if "error" in body else "CreateChatCompletionStreamResponse"
            validate_chunk(schema, body)
    return events


def test_upstream_4xx_keeps_message_and_code(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    error = {"message": "external image URLs are not supported", "code": "invalid_request_body"}
    body = orjson.dumps({"error": error}).decode()
    emulator.state.faults.append(Fault(status=400, body=body))
    error = client.post("/v1/chat/completions", json=CHAT).json()["error"]
    assert error["code"] == "invalid_request_body"
    assert error["message"] == "external image URLs are not supported"


RETRIES = 2  # the default number of retries after the first attempt


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_passing_upstream_failure_is_retried_unseen(
    client: httpx.Client, emulator: CopilotEmulator, status: int
) -> None:
    client.get("/v1/models")
    calls = len(emulator.state.seen_headers)
    emulator.state.faults += [Fault(status=status)] * RETRIES
    assert client.post("/v1/chat/completions", json=CHAT).status_code == 200
    assert len(emulator.state.seen_headers) - calls == RETRIES + 1


@pytest.mark.parametrize(
    ("status", "type_", "ours"),
    [(500, "api_error", 502), (502, "api_error", 502), (503, "api_error", 503)],
)
def test_upstream_5xx_after_the_retries_keeps_its_message(
    client: httpx.Client, emulator: CopilotEmulator, status: int, type_: str, ours: int
) -> None:
    client.get("/v1/models")
    emulator.state.faults += [Fault(status=status)] * (RETRIES + 1)
    response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == ours
    assert response.json()["error"]["type"] == type_
    assert "emulated failure" in response.json()["error"]["message"]
    assert emulator.state.faults == []  # every attempt was made


def test_429_within_the_wait_budget_is_retried_after_retry_after(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    emulator.state.faults.append(
        Fault(status=429, headers={"retry-after": "1"}, body='{"error":{"message":"wait"}}')
    )
    started = time.monotonic()
    assert client.post("/v1/chat/completions", json=CHAT).status_code == 200
    assert time.monotonic() - started >= 1  # it waited as told before trying again


def test_429_beyond_the_wait_budget_is_passed_on(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    client.get("/v1/models")
    emulator.state.faults.append(
        Fault(status=429, headers={"retry-after": "60"}, body='{"error":{"message":"later"}}')
    )
    response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == 429 and response.headers["retry-after"] == "60"
    assert response.json()["error"]["type"] == "rate_limit_error"


def test_upstream_429_passes_retry_after_on(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    emulator.state.faults.append(Fault(status=429, body='{"error":{"message":"slow down"}}'))
    response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == 429
    assert response.json()["error"]["type"] == "rate_limit_error"


def test_upstream_error_before_a_stream_is_an_http_error(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    emulator.state.faults += [Fault(status=500)] * (RETRIES + 1)
    response = client.post("/v1/chat/completions", json=STREAM)
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/json"


def test_upstream_timeout_is_504() -> None:
    emulator = CopilotEmulator()
    with (
        running(emulator.app) as emulator_url,
        serving(gateway_settings(emulator_url, read_timeout=0.3)) as url,
    ):
        auth = {"Authorization": "Bearer sk-test-key"}
        httpx.get(f"{url}/v1/models", headers=auth)  # the token exchange, before the fault
        emulator.state.faults.append(Fault(status=200, delay_seconds=2))
        response = httpx.post(f"{url}/v1/chat/completions", json=CHAT, headers=auth)
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "upstream_timeout"


def test_unreachable_upstream_is_502() -> None:
    with serving(gateway_settings("http://127.0.0.1:9")) as url:
        response = httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer sk-test-key"})
    assert response.status_code == 502
    assert response.json()["error"]["type"] == "api_error"


def test_an_upstream_host_that_does_not_resolve_is_502() -> None:
    # `.invalid` never resolves (RFC 2606), on any network.
    settings = gateway_settings("http://no-such-host.invalid", upstream_retries=0)
    with serving(settings) as url:
        for path in ("/v1/models", "/v1/chat/completions"):
            response = httpx.request(
                "GET" if path == "/v1/models" else "POST",
                url + path,
                json=None if path == "/v1/models" else STREAM,
                headers={"Authorization": "Bearer sk-test-key"},
                timeout=30,
            )
            assert response.status_code == 502
            error = response.json()["error"]
            assert error["type"] == "api_error" and "no-such-host" not in error["message"]


def test_stream_cut_by_the_upstream_ends_with_an_error_event(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=3))
    response = client.post("/v1/chat/completions", json=STREAM)
    assert response.status_code == 200
    events = sse_data(response.text)
    assert events[-1] != "[DONE]"
    assert orjson.loads(events[-1])["error"]["type"] == "api_error"
    assert any("choices" in orjson.loads(e) for e in events[:-1])


def stream_through_fake_upstream(events: list[bytes]) -> list[str]:
    """Stream a chat through the gateway from an OpenAI-compatible upstream sending `events`."""

    async def models(_request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "object": "list",
                "data": [{"id": "gpt-4o", "object": "model", "created": 0, "owned_by": "x"}],
            }
        )

    async def chat(_request: Request) -> StreamingResponse:
        async def send() -> AsyncIterator[bytes]:
            for raw in events:
                yield raw

        return StreamingResponse(send(), media_type="text/event-stream")

    upstream = Starlette(
        routes=[Route("/models", models), Route("/chat/completions", chat, methods=["POST"])]
    )
    with running(upstream) as upstream_url:
        settings = gateway_settings("unused", upstream="openai", upstream_url=upstream_url)
        with serving(settings) as url:
            response = httpx.post(
                f"{url}/v1/chat/completions",
                json=STREAM,
                headers={"Authorization": "Bearer sk-test-key"},
            )
    assert response.status_code == 200
    return sse_data(response.text)


def test_stream_without_done_is_not_a_clean_end() -> None:
    """An upstream that closes its stream properly but never sent [DONE] was truncated."""
    chunk = {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "partial"}, "finish_reason": None}],
    }
    events = stream_through_fake_upstream([b"data: " + orjson.dumps(chunk) + b"\n\n"])
    assert "partial" in events[0]
    assert "error" in orjson.loads(events[-1])
    assert "[DONE]" not in events


def test_malformed_stream_chunk_ends_with_an_error_event() -> None:
    events = stream_through_fake_upstream([b"data: {not json\n\n", b"data: [DONE]\n\n"])
    assert len(events) == 1 and orjson.loads(events[0])["error"]["type"] == "api_error"


def test_mid_stream_error_event_reaches_the_client() -> None:
    events = stream_through_fake_upstream(
        [b'data: {"choices": null, "error": {"message": "overloaded"}}\n\n']
    )
    assert "overloaded" in orjson.loads(events[-1])["error"]["message"]


def test_non_conforming_stream_chunk_ends_with_an_error_event() -> None:
    chunk = {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "bogus"}],
    }
    events = stream_through_fake_upstream(
        [b"data: " + orjson.dumps(chunk) + b"\n\n", b"data: [DONE]\n\n"]
    )
    error = orjson.loads(events[-1])["error"]
    assert error["code"] == "upstream_invalid_response"
    assert "[DONE]" not in events


@pytest.mark.parametrize(
    ("end", "says"), [("eof", "ended before it was complete"), ("error", "overloaded")]
)
def test_copilot_stream_ending_badly_ends_with_an_error_event(
    client: httpx.Client, emulator: CopilotEmulator, end: str, says: str
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=4, stream_end=end))
    events = sse_data(client.post("/v1/chat/completions", json=STREAM).text)
    assert any("choices" in orjson.loads(e) for e in events[:-1])
    assert says in orjson.loads(events[-1])["error"]["message"]
    assert "[DONE]" not in events
