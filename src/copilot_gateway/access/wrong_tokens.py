"""Wrong admin tokens, sent to the dashboard's login or the admin API, counted in a moving
minute per peer address and from every peer together: past `per_peer` from one address, or
ten times as many in all, every further try (the right token too: guessing gains nothing by ending
on it) is refused until the oldest wrong one is a minute old.

They are counted in the per-key limits' store: in Redis when `GATEWAY_REDIS_URL` is set,
so every worker and replica shares one count; else in this process (each of `--workers`
counts its own). When Redis fails, this process's own count stands in until it answers.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute

from ..key_limits.store import MemoryStore, Store, StoreUnavailable

IN_ALL_PER_PEER = 10  # a guesser spread over many addresses is held to this many peers' worth
NAMESPACE = "admin-token"


class WrongTokens:
    """The wrong tokens of one gateway process, counted in its limits' store."""

    def __init__(self, store: Store, per_peer: int) -> None:
        self.store = store
        self.fallback = MemoryStore()
        self.per_peer = RateLimitItemPerMinute(per_peer)
        self.in_all = RateLimitItemPerMinute(per_peer * IN_ALL_PER_PEER)

    async def retry_after(self, peer: str) -> int | None:
        """Seconds until `peer` may try a token again; None if it may now."""
        for name, item in self._counts(peer):
            try:
                reset_at, remaining = await self._stats(self.store, name, item)
            except StoreUnavailable:
                reset_at, remaining = await self._stats(self.fallback, name, item)
            if remaining <= 0:
                # The window's end, by the epoch clock `limits` keeps it in.
                return max(1, math.ceil(reset_at - time.time()))
        return None

    async def wrong(self, peer: str) -> None:
        """Counts a wrong token sent by `peer`."""
        for name, item in self._counts(peer):
            try:
                async with self.store.bounded():
                    await self.store.requests.hit(item, NAMESPACE, name)
            except StoreUnavailable:
                await self.fallback.requests.hit(item, NAMESPACE, name)

    def _counts(self, peer: str) -> tuple[tuple[str, RateLimitItemPerMinute], ...]:
        """The counts a wrong token from `peer` goes into: its own, and everyone's."""
        return ((f"peer:{peer}", self.per_peer), ("all", self.in_all))

    @staticmethod
    async def _stats(store: Store, name: str, item: RateLimitItemPerMinute) -> tuple[float, int]:
        async with store.bounded():
            stats = await store.requests.get_window_stats(item, NAMESPACE, name)
        return stats.reset_time, stats.remaining
