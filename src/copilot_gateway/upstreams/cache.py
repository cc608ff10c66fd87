"""A value fetched once and kept until its deadline; one fetch however many callers wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Refreshing(Generic[T]):
    """`fetch` returns the value and how many seconds it stays good."""

    def __init__(self, fetch: Callable[[], Awaitable[tuple[T, float]]]) -> None:
        self._fetch = fetch
        self._value: T | None = None
        self._deadline = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Forget the value (it was refused): the next `get` fetches again."""
        self._value = None

    def _fresh(self) -> bool:
        return self._value is not None and time.monotonic() < self._deadline

    async def get(self) -> T:
        if not self._fresh():
            async with self._lock:  # the first caller fetches; the others find it fresh
                if not self._fresh():
                    value, lifetime = await self._fetch()
                    self._value, self._deadline = value, time.monotonic() + lifetime
        assert self._value is not None
        return self._value
