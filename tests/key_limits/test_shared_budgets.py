"""Two real `copilot-gateway serve` processes spending one key's budget in one Redis, many
requests at once from both: the budget is exceeded by at most the requests in flight when it
ran out, and every request after that is refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from limited_keys import AUTH, billed, chat, cleared, in_one_window, limits_config, post_all
from serve_processes import gateways

from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.key_limits.budgets import DAY_SECONDS, day_of, month_of
from copilot_gateway.key_limits.store import RedisStore
from redis_server import RedisServer, running_redis
from servers import running

PRICED = "claude-sonnet-4.5"
WAVE = 12  # requests at once, half to each gateway


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


async def remaining(client: httpx.AsyncClient, url: str) -> float:
    """Credits left today, as a model list (which spends nothing) says."""
    models = await client.get(f"{url}/v1/models")
    return float(models.headers["x-ratelimit-remaining-credits-day"])


async def settled(urls: list[str], budget: float, emulator: CopilotEmulator) -> None:
    """Wait until what both gateways say is left is what the emulator billed: every request
    ended has been settled (a response settles a moment after its client read it)."""
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
        while True:
            expected = max(0.0, budget - billed(emulator))
            left = [await remaining(client, url) for url in urls]
            if all(abs(value - expected) < 0.0002 for value in left):
                return
            assert time.monotonic() < deadline, f"never settled: {left} != {expected}"
            await asyncio.sleep(0.05)


def test_two_gateways_exceed_a_shared_budget_by_at_most_the_requests_in_flight(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    budget = 0.5  # about seventeen requests' worth
    config = limits_config(tmp_path, credits_per_day=budget)
    body = chat(model=PRICED)

    def spend_in_waves() -> None:
        emulator = CopilotEmulator()
        with (
            running(emulator.app) as emulator_url,
            gateways(config, redis_server.url, emulator_url) as served,
        ):
            urls = [url for url, _ in served]
            first = asyncio.run(post_all(urls[:1], body))[0]
            assert first.status_code == 200
            each = billed(emulator)  # every request is the same, and costs the same
            assert each > 0
            asyncio.run(settled(urls, budget, emulator))
            waves: list[list[int]] = []
            while not waves or 429 not in waves[-1]:
                answers = asyncio.run(post_all(urls * (WAVE // 2), body))
                waves.append([answer.status_code for answer in answers])
                assert set(waves[-1]) <= {200, 429}
                asyncio.run(settled(urls, budget, emulator))  # the wave's cost is counted
                assert len(waves) < 10, "the budget never ran out"
            admitted = 1 + sum(wave.count(200) for wave in waves)
            spent = billed(emulator)
            assert spent == pytest.approx(admitted * each)  # each admitted one counted once
            # It ran out, and was exceeded by no more than one wave in flight at once.
            assert budget <= spent < budget + WAVE * each
            # Once it ran out and what was in flight ended, every request is refused.
            before = DAY_SECONDS - time.time() % DAY_SECONDS
            after = asyncio.run(post_all(urls * (WAVE // 2), body))
            to_midnight = DAY_SECONDS - time.time() % DAY_SECONDS
            assert [answer.status_code for answer in after] == [429] * WAVE
            for answer in after:
                error = answer.json()["error"]
                assert (error["type"], error["code"]) == (
                    "insufficient_quota",
                    "insufficient_quota",
                )
                assert answer.headers["x-ratelimit-remaining-credits-day"] == "0"
                assert to_midnight - 1 <= int(answer.headers["retry-after"]) <= before + 1
            assert billed(emulator) == spent

    in_one_window(DAY_SECONDS, spend_in_waves, cleared(redis_server))


def test_a_budgets_counters_in_redis_are_exact_and_expire_a_day_after_their_window(
    redis_server: RedisServer,
) -> None:
    day, month = day_of(time.time()), month_of(time.time())

    async def spend() -> list[int]:
        store = RedisStore(redis_server.url)
        try:
            for cost in (1, 29_700_000, 10**12):  # exact integers, however large
                await store.spend_budget("team", [day, month], cost)
            return await store.budget_spent("team", [day, month])
        finally:
            await store.aclose()

    assert asyncio.run(spend()) == [10**12 + 29_700_001] * 2
    with redis.Redis.from_url(redis_server.url) as client:
        for window in (day, month):
            name = f"copilot-gateway:credits:team:{window.span}:{window.name}"
            expires_in = client.ttl(name)
            assert (
                window.ends_at - time.time()
                < expires_in
                <= window.ends_at - time.time() + DAY_SECONDS + 1
            )
