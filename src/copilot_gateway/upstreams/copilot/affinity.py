"""Which Copilot account a conversation is tied to: remembered for an hour, in this process,
or in Redis (`GATEWAY_REDIS_URL`) so that every replica behind a load balancer sends a
conversation's next turn to the account that holds its cache and can read its encrypted
reasoning.

What ties a request to an account: the values only that account can read back (thinking
signatures, encrypted reasoning: its endpoint's `continuation`) and the conversation's id
(`agents.conversation_id`). Each is kept as a digest, never as the client sent it.

Redis failing (down, slow) costs no request: the process falls back to its own memory for
a few seconds, counted in `gateway_redis_errors_total` and logged once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence

import redis.asyncio
from redis.backoff import NoBackoff
from redis.retry import Retry

from ...observability import metrics

log = logging.getLogger(__name__)
AFFINITY_SECONDS = 3600
AFFINITY_ENTRIES = 100_000  # in this process: the oldest forgotten first
KEY_PREFIX = "copilot-gateway:affinity:"
# Each Redis call: connecting, then answering. A conversation's turn waits no longer.
CONNECT_TIMEOUT = 0.5
ANSWER_TIMEOUT = 0.5
CALL_TIMEOUT = 1.0  # the whole of one call, its retry included
COOL_OFF_SECONDS = 2.0  # after a failure, Redis is not asked for this long


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class LocalAffinity:
    """In this process: the default, and the fallback while Redis fails."""

    def __init__(self, seconds: float = AFFINITY_SECONDS) -> None:
        self.seconds = seconds
        self._entries: OrderedDict[str, tuple[str, float]] = OrderedDict()

    async def recall(self, keys: Sequence[str]) -> str | None:
        now = time.monotonic()
        for key in keys:
            if (entry := self._entries.get(digest(key))) and entry[1] > now:
                return entry[0]
        return None

    async def remember(self, keys: Sequence[str], account: str) -> None:
        until = time.monotonic() + self.seconds
        for key in keys:
            name = digest(key)
            self._entries[name] = (account, until)
            self._entries.move_to_end(name)
        while len(self._entries) > AFFINITY_ENTRIES:
            self._entries.popitem(last=False)

    async def aclose(self) -> None:
        """Nothing to close."""


class RedisAffinity(LocalAffinity):
    """In Redis, shared by every process using the same URL; each key expires on its own."""

    def __init__(self, url: str, seconds: float = AFFINITY_SECONDS) -> None:
        super().__init__(seconds)
        self.client = redis.asyncio.Redis.from_url(
            url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=ANSWER_TIMEOUT,
            retry=Retry(NoBackoff(), 1),  # a connection Redis closed is remade once
            decode_responses=True,
        )
        self._unavailable_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._unavailable_until

    def _failed(self, operation: str, problem: Exception) -> None:
        metrics.count_redis_error(f"affinity_{operation}")
        if self._available():
            log.error(
                "affinity in Redis failed (%s: %s): conversations are tied to accounts in "
                "this process only until it answers again",
                operation,
                type(problem).__name__,
            )
        self._unavailable_until = time.monotonic() + COOL_OFF_SECONDS

    async def recall(self, keys: Sequence[str]) -> str | None:
        if not keys:
            return None
        if self._available():
            try:
                async with asyncio.timeout(CALL_TIMEOUT):
                    found = await self.client.mget([KEY_PREFIX + digest(key) for key in keys])
            except (redis.RedisError, OSError, TimeoutError) as problem:
                self._failed("recall", problem)
            else:
                return next((str(account) for account in found if account), None)
        return await super().recall(keys)

    async def remember(self, keys: Sequence[str], account: str) -> None:
        if not keys:
            return
        if self._available():
            try:
                async with asyncio.timeout(CALL_TIMEOUT):
                    async with self.client.pipeline(transaction=False) as pipe:
                        for key in keys:
                            pipe.set(KEY_PREFIX + digest(key), account, ex=int(self.seconds))
                        await pipe.execute()
                return
            except (redis.RedisError, OSError, TimeoutError) as problem:
                self._failed("remember", problem)
        await super().remember(keys, account)

    async def aclose(self) -> None:
        await self.client.aclose()


def affinity_for(redis_url: str | None) -> LocalAffinity:
    return RedisAffinity(redis_url) if redis_url else LocalAffinity()
