"""Where the counters live: in this process, or in Redis, shared by every process that uses
the same URL.

Both are the `limits` library's strategies on one of its storages: a moving window for
requests (exact under any concurrency: in Redis one Lua script checks and adds), fixed
windows aligned to the clock for tokens (the minute, the UTC day), which take any amount
(usage is known only at the end of an answer, and a stream's reservation is settled then).
Requests in flight are leases: a counter in this process, a sorted set in Redis whose
leases expire unless renewed, so a process that dies cannot hold its slots for ever.
Budgets are exact integer counters of nano-AIU, one per key and window (`budgets`): in
Redis, INCRBY on a key named by the window, expiring a day past its end.

Every Redis call is bounded in time; a failure is a `StoreUnavailable`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio
from limits import RateLimitItemPerDay, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from .budgets import DAY_SECONDS, BudgetWindow

# Each Redis call: connecting, then answering, then the whole of it (retry included).
CONNECT_TIMEOUT = 0.5
ANSWER_TIMEOUT = 0.5
CALL_TIMEOUT = 1.5
# A lease on a request in flight lives this long unless renewed (every third of it).
LEASE_SECONDS = 60
KEY_PREFIX = "copilot-gateway"
MINUTE, DAY = 60, 86400


class StoreUnavailable(Exception):
    """The store did not answer in time, or failed."""


@dataclass(frozen=True, slots=True)
class Window:
    """One limit's state for a key: its size, what is left, and when it is whole again."""

    limit: int
    remaining: int
    resets_at: float  # epoch seconds

    @property
    def resets_in(self) -> float:
        return max(0.0, self.resets_at - time.time())


def window_start(size: int, at: float) -> int:
    return int(at // size) * size


class Store:
    """The counters on one storage; subclasses hold the requests in flight."""

    leases_expire = False  # whether a lease must be renewed to stay alive

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.requests = MovingWindowRateLimiter(storage)
        self.fixed = FixedWindowRateLimiter(storage)

    @asynccontextmanager
    async def bounded(self) -> AsyncIterator[None]:
        yield

    async def hit_requests(self, key: str, rpm: int) -> tuple[bool, Window]:
        """Count one request in the last minute's, unless it is full; and its state now."""
        item = RateLimitItemPerMinute(rpm)
        async with self.bounded():
            admitted = await self.requests.hit(item, "rpm", key)
            stats = await self.requests.get_window_stats(item, "rpm", key)
        return admitted, Window(rpm, stats.remaining, stats.reset_time)

    async def requests_window(self, key: str, rpm: int) -> Window:
        item = RateLimitItemPerMinute(rpm)
        async with self.bounded():
            stats = await self.requests.get_window_stats(item, "rpm", key)
        return Window(rpm, stats.remaining, stats.reset_time)

    async def tokens_window(self, key: str, limit: int, size: int, at: float) -> Window:
        """Tokens left in the clock-aligned window (a minute, a day) holding `at`."""
        start = window_start(size, at)
        async with self.bounded():
            item, ids = self._item(limit, size), self._ids(key, size, start)
            stats = await self.fixed.get_window_stats(item, *ids)
        return Window(limit, stats.remaining, start + size)

    async def spend_tokens(self, key: str, limit: int, size: int, at: float, amount: int) -> None:
        """Add `amount` (negative to give back) to the window holding `at`, over its limit too."""
        start = window_start(size, at)
        async with self.bounded():
            await self.fixed.hit(self._item(limit, size), *self._ids(key, size, start), cost=amount)

    @staticmethod
    def _item(limit: int, size: int) -> Any:
        return RateLimitItemPerMinute(limit) if size == MINUTE else RateLimitItemPerDay(limit)

    @staticmethod
    def _ids(key: str, size: int, start: int) -> tuple[str, str, str]:
        # The window's start is part of its name: every process agrees on the window, and a
        # settlement made late lands in the window its reservation was made in.
        return ("tpm" if size == MINUTE else "tokens_per_day", key, str(start))

    async def acquire_slot(self, key: str, limit: int) -> str | None:
        """A lease on one of `limit` requests in flight, or None when all are taken."""
        raise NotImplementedError

    async def budget_spent(self, key: str, windows: Sequence[BudgetWindow]) -> list[int]:
        """The nano-AIU the key has spent in each window."""
        raise NotImplementedError

    async def spend_budget(self, key: str, windows: Sequence[BudgetWindow], nano_aiu: int) -> None:
        """Add what a request cost to each window it was admitted in."""
        raise NotImplementedError

    async def renew_slot(self, key: str, lease: str) -> None:
        """Keep a lease alive (a long stream outlives its first term)."""

    async def release_slot(self, key: str, lease: str) -> None:
        raise NotImplementedError

    async def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers."""

    async def aclose(self) -> None:
        """Close the store's connections."""


class MemoryStore(Store):
    """Counters of this process alone: the default, for one process."""

    def __init__(self) -> None:
        super().__init__(MemoryStorage())
        self.in_flight: Counter[str] = Counter()
        self.leases: dict[str, str] = {}
        self.spent: Counter[tuple[str, str, str]] = Counter()
        self.spent_until: dict[tuple[str, str, str], float] = {}

    async def acquire_slot(self, key: str, limit: int) -> str | None:
        if self.in_flight[key] >= limit:
            return None
        self.in_flight[key] += 1
        lease = uuid.uuid4().hex
        self.leases[lease] = key
        return lease

    async def release_slot(self, key: str, lease: str) -> None:
        if self.leases.pop(lease, None) is not None:
            self.in_flight[key] -= 1

    async def budget_spent(self, key: str, windows: Sequence[BudgetWindow]) -> list[int]:
        return [self.spent[(key, window.span, window.name)] for window in windows]

    async def spend_budget(self, key: str, windows: Sequence[BudgetWindow], nano_aiu: int) -> None:
        for window in windows:
            counter = (key, window.span, window.name)
            if counter not in self.spent_until:  # a new window: forget those long over
                self._forget_ended(time.time())
                self.spent_until[counter] = window.ends_at + DAY_SECONDS
            self.spent[counter] += nano_aiu

    def _forget_ended(self, now: float) -> None:
        for counter in [c for c, until in self.spent_until.items() if until < now]:
            del self.spent_until[counter], self.spent[counter]


# Leases on requests in flight: a sorted set per key, each member a lease, scored by when it
# expires (on Redis' clock, so replicas' clocks need not agree).
ACQUIRE_SLOT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""
RENEW_SLOT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now_ms + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""


class RedisStore(Store):
    """Counters in Redis, shared by every process (worker, replica) using the same URL."""

    leases_expire = True

    def __init__(self, url: str) -> None:
        self.pool = redis.asyncio.ConnectionPool.from_url(
            url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=ANSWER_TIMEOUT,
            # One quick retry: a pooled connection Redis closed (say, on a restart) is remade.
            retry=Retry(NoBackoff(), 1),
            health_check_interval=30,
        )
        self.client = redis.asyncio.Redis(connection_pool=self.pool)
        storage = RedisStorage(
            "async+" + url,
            implementation="redispy",
            key_prefix=KEY_PREFIX,
            connection_pool=self.pool,  # type: ignore[arg-type]  # documented, typed too narrowly
        )
        super().__init__(storage)
        self.errors: tuple[type[BaseException], ...] = (
            redis.RedisError,
            OSError,
            TimeoutError,
        )
        self.acquire_script = self.client.register_script(ACQUIRE_SLOT)
        self.renew_script = self.client.register_script(RENEW_SLOT)

    @asynccontextmanager
    async def bounded(self) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(CALL_TIMEOUT):
                yield
        except self.errors as error:
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from None

    @staticmethod
    def _slots(key: str) -> str:
        return f"{KEY_PREFIX}:in_flight:{key}"

    async def acquire_slot(self, key: str, limit: int) -> str | None:
        lease = uuid.uuid4().hex
        async with self.bounded():
            taken = await self.acquire_script(
                keys=[self._slots(key)], args=[limit, LEASE_SECONDS * 1000, lease]
            )
        return lease if taken == 1 else None

    async def renew_slot(self, key: str, lease: str) -> None:
        async with self.bounded():
            await self.renew_script(keys=[self._slots(key)], args=[LEASE_SECONDS * 1000, lease])

    async def release_slot(self, key: str, lease: str) -> None:
        async with self.bounded():
            await self.client.zrem(self._slots(key), lease)

    @staticmethod
    def _budget(key: str, window: BudgetWindow) -> str:
        return f"{KEY_PREFIX}:credits:{key}:{window.span}:{window.name}"

    async def budget_spent(self, key: str, windows: Sequence[BudgetWindow]) -> list[int]:
        async with self.bounded():
            values = await self.client.mget([self._budget(key, window) for window in windows])
        return [int(value or 0) for value in values]

    async def spend_budget(self, key: str, windows: Sequence[BudgetWindow], nano_aiu: int) -> None:
        async with self.bounded(), self.client.pipeline(transaction=False) as pipeline:
            for window in windows:
                name = self._budget(key, window)
                pipeline.incrby(name, nano_aiu)
                pipeline.expireat(name, int(window.ends_at) + DAY_SECONDS)
            await pipeline.execute()

    async def ping(self) -> None:
        async with self.bounded():
            await self.client.ping()

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.pool.disconnect()


def store_for(redis_url: str | None) -> Store:
    return RedisStore(redis_url) if redis_url else MemoryStore()
