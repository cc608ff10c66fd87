"""A client that stops reading a fast stream stops the upstream read; one that leaves ends
the upstream stream long before it is done, whatever the upstream's pace."""

from __future__ import annotations

import socket
import struct

import orjson
import pytest
from fast_upstream import CHUNK, CHUNKS, WORDS_PER_CHUNK, fast_upstream
from hostile_wire import AUTH_HEADER, connect, serving

from servers import gateway_settings, until


def open_stream(port: int) -> socket.socket:
    body = orjson.dumps(
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    )
    sock = connect(port)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
        + AUTH_HEADER
        + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body
    )
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    return sock


def reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_a_client_that_stops_reading_stops_the_upstream_read() -> None:
    with fast_upstream() as (upstream, upstream_url):
        # A write deadline far past the test: a reader stopped, not gone (see test_half_open).
        settings = gateway_settings(
            "", upstream="openai", upstream_url=upstream_url, write_timeout_seconds=3600
        )
        with serving(settings) as (_, port):
            sock = open_stream(port)
            # Socket buffers fill up, then the gateway must stop reading: the upstream stays
            # blocked on it with far less than its stream written.
            assert until(upstream.stopped(), every=0.5), "the gateway never stopped reading"
            assert upstream.written < CHUNKS * len(CHUNK) / 2
            assert upstream.streams_open == 1
            reset(sock)


def test_a_client_leaving_a_fast_stream_ends_the_upstream_stream_early(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="copilot_gateway.access")
    with fast_upstream() as (upstream, upstream_url):
        settings = gateway_settings("", upstream="openai", upstream_url=upstream_url)
        with serving(settings) as (_, port):
            sock = open_stream(port)
            assert until(upstream.stopped(), every=0.5)  # in full flow, up to the client
            reset(sock)
            # Left: the gateway closes the upstream stream, long before it is all written
            # (a gateway that missed it would read on to the end, as fast as it could).
            assert until(lambda: upstream.streams_open == 0)
            assert upstream.written < CHUNKS * len(CHUNK) / 2
            assert until(lambda: any(r.name == "copilot_gateway.access" for r in caplog.records))
    [line] = [r for r in caplog.records if r.name == "copilot_gateway.access"]
    assert getattr(line, "error", None) == "client_disconnected"
    # Usage is what was relayed: counted, and far from the whole upstream stream.
    relayed_words = upstream.written // len(CHUNK) * WORDS_PER_CHUNK
    assert 0 < line.completion_tokens <= relayed_words * 2  # type: ignore[attr-defined]
    assert line.completion_tokens < CHUNKS * WORDS_PER_CHUNK // 2  # type: ignore[attr-defined]
