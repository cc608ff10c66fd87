"""Requests at a fixed arrival rate (an open loop: wrk has none), each timed from when it
was due, so a slow answer delays no later request's clock (no coordinated omission)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence

import aiohttp


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def open_loop(
    url: str, headers: Mapping[str, str], body: bytes, rate: float, seconds: float
) -> tuple[list[float], int]:
    """`rate` requests a second for `seconds`: their latencies (s), and the errors."""
    latencies: list[float] = []
    errors = 0

    async def one(session: aiohttp.ClientSession, due: float) -> None:
        nonlocal errors
        try:
            async with session.post(url, data=body, headers=dict(headers)) as response:
                await response.read()
                errors += response.status != 200
        except aiohttp.ClientError:
            errors += 1
        latencies.append(time.perf_counter() - due)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        tasks = []
        start = time.perf_counter()
        for index in range(int(rate * seconds)):
            due = start + index / rate
            # The schedule itself: the next request is due then, not after a signal.
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(session, due)))
        await asyncio.gather(*tasks)
    return latencies, errors
