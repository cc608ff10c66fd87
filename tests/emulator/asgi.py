"""A streamed answer read straight off the emulator's ASGI app, one frame at a time, by a
client that can leave: what httpx's ASGI transport cannot do (it hands over a body only
once the app has finished), without a socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.types import ASGIApp

Message = MutableMapping[str, Any]


class Stream:
    """One request in flight: its status, its frames as the app sends them, its end."""

    def __init__(self, app: ASGIApp, path: str, body: dict, headers: dict[str, str]) -> None:
        self._request: bytes | None = orjson.dumps(body)
        # One message at a time, like a socket's buffer: the app waits while the client reads.
        self._sent: asyncio.Queue[Message] = asyncio.Queue(maxsize=1)
        self._left = asyncio.Event()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (name.lower().encode(), value.encode())
                for name, value in {**headers, "content-type": "application/json"}.items()
            ],
            "server": ("copilot.emulator", 80),
            "client": ("127.0.0.1", 1),
        }
        self.task: asyncio.Task[None] = asyncio.ensure_future(app(scope, self._receive, self._send))
        self.ended = False

    async def _receive(self) -> Message:
        if self._request is not None:
            body, self._request = self._request, None
            return {"type": "http.request", "body": body, "more_body": False}
        await self._left.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Message) -> None:
        await self._sent.put(message)

    async def _next(self) -> Message | None:
        """The app's next message, or None once the app has stopped without one."""
        getting = asyncio.ensure_future(self._sent.get())
        await asyncio.wait({getting, self.task}, return_when=asyncio.FIRST_COMPLETED)
        if getting.done():
            return getting.result()
        getting.cancel()
        return None if self._sent.empty() else self._sent.get_nowait()

    async def status(self) -> int:
        message = await self._next()
        assert message is not None and message["type"] == "http.response.start"
        return int(message["status"])

    async def frame(self) -> bytes | None:
        """The next frame sent; None once the stream has ended (or the app stopped)."""
        while not self.ended:
            message = await self._next()
            if message is None:
                self.ended = True
                return None
            if message["type"] != "http.response.body":
                continue
            self.ended = not message.get("more_body", False)
            if message.get("body"):
                return bytes(message["body"])
        return None

    async def rest(self) -> list[bytes]:
        """Every frame still to come, to the stream's end."""
        frames = []
        while (frame := await self.frame()) is not None:
            frames.append(frame)
        return frames

    def leave(self) -> None:
        """The client goes away (its connection closes)."""
        self._left.set()

    async def outcome(self) -> BaseException | None:
        """How the app ended: None when it answered to the end, else what it raised."""
        await asyncio.wait({self.task})
        return self.task.exception()


@asynccontextmanager
async def streaming(
    app: ASGIApp, path: str, body: dict, headers: dict[str, str]
) -> AsyncIterator[Stream]:
    """The request in flight; on leaving the block the client leaves and the app ends."""
    stream = Stream(app, path, body, headers)
    try:
        yield stream
    finally:
        stream.leave()
        await asyncio.wait({stream.task})
