from __future__ import annotations

import asyncio

from copilot_gateway.upstreams.cache import Refreshing


def test_a_thousand_concurrent_callers_share_one_fetch() -> None:
    fetches = 0

    async def fetch() -> tuple[int, float]:
        nonlocal fetches
        fetches += 1
        await asyncio.sleep(0.01)
        return fetches, 60.0

    async def main() -> list[int]:
        cached = Refreshing(fetch)
        return await asyncio.gather(*(cached.get() for _ in range(1000)))

    assert asyncio.run(main()) == [1] * 1000
    assert fetches == 1


def test_value_past_its_lifetime_is_fetched_again() -> None:
    values = iter([("first", 0.0), ("second", 60.0)])

    async def fetch() -> tuple[str, float]:
        return next(values)

    async def main() -> list[str]:
        cached = Refreshing(fetch)
        return [await cached.get(), await cached.get(), await cached.get()]

    assert asyncio.run(main()) == ["first", "second", "second"]
