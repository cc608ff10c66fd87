"""Graceful shutdown of open streams: a grace period to finish, then an error event.

On SIGTERM the server stops accepting; every open stream gets `grace` seconds to finish on
its own, after which it ends with an error event the client can see (never a silent cut).
The streams track themselves here (see `surfaces.streams`); the edge begins the draining
when the signal comes (see `edge.shutdown`).
"""

from __future__ import annotations

import asyncio


class Draining:
    """The deadlines of the open streams, moved in when shutdown begins."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.deadline: float | None = None  # loop time; None until shutdown begins
        self.requested = False
        self._streams: set[asyncio.Timeout] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def track(self, timeout: asyncio.Timeout) -> None:
        self._loop = self._loop or asyncio.get_running_loop()
        self._streams.add(timeout)
        if self.requested:
            self.begin()
        if self.deadline is not None:
            timeout.reschedule(self.deadline)

    def untrack(self, timeout: asyncio.Timeout) -> None:
        self._streams.discard(timeout)

    def request(self) -> None:
        """Shutdown was asked for, from a signal handler: begin on the event loop, safely."""
        self.requested = True
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.begin)

    def begin(self) -> None:
        """Shutdown has begun: every open stream now has `grace` seconds left."""
        if self.deadline is None:
            self.deadline = asyncio.get_running_loop().time() + self.grace
            for timeout in self._streams:
                timeout.reschedule(self.deadline)
