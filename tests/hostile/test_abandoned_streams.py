"""A client that stops reading a fast stream stops the upstream read; one that leaves ends
the upstream stream long before it is done, whatever the upstream's pace."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import orjson
import pytest
from hostile_wire import AUTH_HEADER, connect, serving

from servers import gateway_settings, until

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
        self.blocked = False  # waiting for its client to read (its socket buffers are full)

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
                self.blocked = True
                await writer.drain()
                self.blocked = False
            writer.write(b"data: [DONE]\n\n")
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            self.streams_open -= 1
            writer.close()

    def stopped(self) -> Callable[[], bool]:
        """A condition: the upstream is blocked on its client, and wrote nothing since the
        condition was last checked (its client stopped reading, not merely slowed)."""
        seen = -1

        def check() -> bool:
            nonlocal seen
            still, seen = self.written == seen, self.written
            return self.blocked and still

        return check


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


def test_a_client_that_stops_reading_stops_the_upstream_read() -> None:
    with fast_upstream() as (upstream, upstream_url):
        settings = gateway_settings("", upstream="openai", upstream_url=upstream_url)
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
