"""An OpenAI-compatible upstream that streams as fast as its client reads, far more than
every buffer on the way holds: a test sees whether the gateway stopped reading it, and
when it let go of the stream."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import orjson

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
MODELS = orjson.dumps(
    {
        "object": "list",
        "data": [{"id": "gpt-4o", "object": "model", "created": 0, "owned_by": "test"}],
    }
)


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
