"""Reading an upstream's server-sent events, however the network splits the bytes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from copilot_gateway.errors import UpstreamFailed
from copilot_gateway.upstreams.base import Json
from copilot_gateway.upstreams.sse import iter_sse_data, iter_sse_json

STREAM = (
    b": keep-alive comment\r\n\r\n"
    b'data: {"a": 1}\r\n\r\n'
    b"event: message\n"
    b'data: {"b":\n'
    b"data: 2}\n\n"
    b'data:{"c": 3}\n\n'
    b"data: [DONE]\n\n"
    b"data: after the end\n\n"
)
EVENTS = [b'{"a": 1}', b'{"b":\n2}', b'{"c": 3}']


def response_of(*parts: bytes) -> httpx.Response:
    async def body() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    return httpx.Response(200, content=body())


async def read(response: httpx.Response) -> list[bytes]:
    return [event async for event in iter_sse_data(response, idle_timeout=5)]


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_events_are_the_same_wherever_the_bytes_are_split(cut: int) -> None:
    assert asyncio.run(read(response_of(STREAM[:cut], STREAM[cut:]))) == EVENTS


def test_events_arrive_byte_by_byte_too() -> None:
    parts = [STREAM[i : i + 1] for i in range(len(STREAM))]
    assert asyncio.run(read(response_of(*parts))) == EVENTS


def test_done_without_a_final_blank_line_still_ends_cleanly() -> None:
    assert asyncio.run(read(response_of(b'data: {"a": 1}\n\ndata: [DONE]'))) == [b'{"a": 1}']


def test_a_stream_without_done_is_cut() -> None:
    with pytest.raises(UpstreamFailed, match="ended before it was complete"):
        asyncio.run(read(response_of(b'data: {"a": 1}\n\n')))


def is_stop(event: Json) -> bool:
    return event.get("type") == "stop"


async def read_json(response: httpx.Response) -> list[Json]:
    return [event async for event in iter_sse_json(response, idle_timeout=5, ends=is_stop)]


@pytest.mark.parametrize("tail", [b"\n\n", b""])
def test_a_stream_may_end_with_its_last_event_instead_of_done(tail: bytes) -> None:
    stream = b'data: {"type": "a"}\n\ndata: {"type": "stop"}' + tail
    assert asyncio.run(read_json(response_of(stream))) == [{"type": "a"}, {"type": "stop"}]


def test_a_stream_that_stops_before_its_last_event_is_cut() -> None:
    with pytest.raises(UpstreamFailed, match="ended before it was complete"):
        asyncio.run(read_json(response_of(b'data: {"type": "stop"}\n\ndata: {"type": "a"}\n\n')))


def test_closing_the_event_stream_lets_go_of_the_response_at_once() -> None:
    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b'data: {"type": "a"}\n\n'

    async def first_then_close() -> tuple[Json, bool]:
        response = httpx.Response(200, content=endless())
        events = iter_sse_json(response, idle_timeout=5)
        first = await anext(events)
        await events.aclose()
        return first, response.is_closed  # at once: not left to the garbage collector

    assert asyncio.run(first_then_close()) == ({"type": "a"}, True)
