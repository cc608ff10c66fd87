"""Running the bench's own asyncio clients (open loop, many streams) on uvloop where installed,
as the gateway runs: the client should not be slower than the server it measures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(step: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(step())
    return uvloop.run(step())
