"""A client that stops reading a fast stream slows the upstream read; one that leaves is
noticed within a second, whatever the upstream's pace."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import pytest
from hostile_wire import AUTH_HEADER, connect, serving

from servers import gateway_settings

WORDS_PER_CHUNK = 200
# About 90 MB of events: far more than every socket buffer on the way holds together, even
# grown by the kernel's auto-tuning (about 23 MB seen on a loaded machine).
CHUNKS = 80_000
CHUNK = orjson.dumps(
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": "word " * WORDS_PER_CHUNK}}],
    }
)
MODELS = orjson.dumps({"object": "list", "data": [{"id": "gpt-4o", "object": "model"}]})


class FastUpstream:
    """An OpenAI-compatible server that streams as fast as its client reads, counting what
    it wrote and noting when its client let go."""

    def __init__(self) -> None:
        self.written = 0
        self.streams_open = 0
        self.closed_at: float | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        await reader.readexactly(length)
        if head.startswith(b"GET"):
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
                b"content-length: %d\r\n\r\n%s" % (len(MODELS), MODELS)
            )
            await writer.drain()
            writer.close()
            return
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
        )
        self.streams_open += 1
        try:
            for _ in range(CHUNKS):
                event = b"data: " + CHUNK + b"\n\n"
                writer.write(event)
                self.written += len(event)
                await writer.drain()
            writer.write(b"data: [DONE]\n\n")
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            self.streams_open -= 1
            self.closed_at = time.monotonic()
            writer.close()


@contextmanager
def fast_upstream() -> Iterator[tuple[FastUpstream, str]]:
    upstream = FastUpstream()
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(upstream.handle, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield upstream, f"http://127.0.0.1:{port}/v1"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)


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


def wait_until(condition: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_a_client_that_stops_reading_stops_the_upstream_read() -> None:
    with fast_upstream() as (upstream, upstream_url):
        settings = gateway_settings("", upstream="openai", upstream_url=upstream_url)
        with serving(settings) as (_, port):
            sock = open_stream(port)
            time.sleep(1.5)  # socket buffers fill up, then the gateway must stop reading
            written = upstream.written
            time.sleep(1.0)
            assert upstream.written == written  # no progress while the client reads nothing
            assert written < CHUNKS * len(CHUNK) / 2
            assert upstream.streams_open == 1
            reset(sock)


def test_a_client_leaving_a_fast_stream_is_noticed_within_a_second(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="copilot_gateway.access")
    with fast_upstream() as (upstream, upstream_url):
        settings = gateway_settings("", upstream="openai", upstream_url=upstream_url)
        with serving(settings) as (_, port):
            sock = open_stream(port)
            time.sleep(1.0)
            reset(sock)
            left = time.monotonic()
            assert wait_until(lambda: upstream.streams_open == 0, within=1.0)
            assert upstream.closed_at is not None and upstream.closed_at - left < 1.0
            assert upstream.written < CHUNKS * len(CHUNK) / 2
            assert wait_until(
                lambda: any(r.name == "copilot_gateway.access" for r in caplog.records), 2.0
            )
    [line] = [r for r in caplog.records if r.name == "copilot_gateway.access"]
    assert getattr(line, "error", None) == "client_disconnected"
    # Usage is what was relayed: counted, and far from the whole upstream stream.
    relayed_words = upstream.written // len(CHUNK) * WORDS_PER_CHUNK
    assert 0 < line.completion_tokens <= relayed_words * 2  # type: ignore[attr-defined]
    assert line.completion_tokens < CHUNKS * WORDS_PER_CHUNK // 2  # type: ignore[attr-defined]
