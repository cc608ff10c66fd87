"""Writes of stored objects (responses, chat completions) batched while a write is on, and
held in the process while the database cannot be reached: what was answered as stored is
served from here and written once the database answers again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Generic, TypeVar

from prometheus_client import Counter, Gauge

from ..observability.metrics import STATE_DATABASE_ERRORS
from .database import DATABASE_FAILURES, failure_reason, failure_said

log = logging.getLogger(__name__)
HELD_LIMIT = 10_000  # objects of one kind held in memory while the database cannot be reached
RETRY_SECONDS = 1.0  # how often held objects are tried again
T = TypeVar("T")
Batch = list[tuple[str, T]]  # (owner, object), in the order they were put


class WriteBatches(Generic[T]):
    """Puts that arrive while a write is on go together in the next one: under load, one
    round trip and one commit for them all, where one each cost more than the rest of a
    request. Each put returns once its batch is committed, or, the database failing, once
    its object is held in this process: served from there (`held`) and written once the
    database answers again, tried every `retry_seconds`. At most `held_limit` are held; past
    it the oldest are dropped and counted, so an outage costs objects, never memory."""

    def __init__(
        self,
        write_all: Callable[[Batch[T]], Awaitable[None]],
        *,
        id_of: Callable[[T], str],
        what: str,  # for the log: "stored responses"
        store: str,  # for `gateway_state_database_errors_total`: "responses"
        sqlite_file: Path | None,  # named in the log when it is locked or its disk full
        held_gauge: Gauge,
        dropped: Counter,
        held_limit: int = HELD_LIMIT,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.write_all = write_all
        self.id_of = id_of
        self.what = what
        self.store = store
        self.sqlite_file = sqlite_file
        self.held_gauge = held_gauge
        self.dropped = dropped
        self.held_limit = held_limit
        self.retry_seconds = retry_seconds
        self._waiting: list[tuple[str, T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._held: dict[str, tuple[str, T]] = {}  # by id, oldest first
        self._retrier: asyncio.Task[None] | None = None

    async def put(self, owner: str, item: T) -> None:
        written = asyncio.get_running_loop().create_future()
        self._waiting.append((owner, item, written))
        writer = self._writer
        if writer is None or writer.done() or writer.get_loop() is not written.get_loop():
            self._writer = asyncio.create_task(self._write_waiting())
        await asyncio.shield(written)  # a caller that gives up does not undo the write

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            pairs = [(owner, item) for owner, item, _ in batch]
            if self._retrying():
                # Known out of reach: held at once, where a try could cost each put a wait
                # (SQLite's busy timeout, a connect timeout); the retrier writes them.
                self._keep(pairs)
            else:
                try:
                    await self.write_all(pairs)
                except DATABASE_FAILURES as problem:
                    self._hold(pairs, problem)
                except Exception as problem:  # each waiting caller hears why
                    for *_, written in batch:
                        if not written.done():
                            written.set_exception(problem)
                    continue
                else:
                    for _, item in pairs:  # a newer put of a held id supersedes it
                        self._held.pop(self.id_of(item), None)
            for *_, written in batch:
                if not written.done():
                    written.set_result(None)
            self.held_gauge.set(len(self._held))

    def _hold(self, pairs: Batch[T], problem: Exception) -> None:
        self._failed(problem)
        if not self._held:  # said once an outage; what joins it later is in the gauge
            log.warning(
                "%s cannot be written: %s; %d held until it can be",
                self.what,
                failure_said(problem, self.sqlite_file),
                len(pairs),
            )
        self._keep(pairs)

    def _retrying(self) -> bool:
        return bool(self._held) and self._retrier is not None and not self._retrier.done()

    def _keep(self, pairs: Batch[T]) -> None:
        """Held (a newer put of an id replacing the older), the oldest dropped past the bound,
        the retrier running."""
        for owner, item in pairs:
            self._held.pop(self.id_of(item), None)
            self._held[self.id_of(item)] = (owner, item)
        while len(self._held) > self.held_limit:
            del self._held[next(iter(self._held))]
            self.dropped.inc()
        if self._retrier is None or self._retrier.done():
            self._retrier = asyncio.create_task(self._retry())

    async def _retry(self) -> None:
        while self._held:
            await asyncio.sleep(self.retry_seconds)
            await self._write_held()

    async def _write_held(self) -> bool:
        """Whether what was held is now written (and no longer held)."""
        pairs = list(self._held.values())
        try:
            await self.write_all(pairs)
        except DATABASE_FAILURES as problem:
            self._failed(problem)
            return False
        for pair in pairs:
            if self._held.get(self.id_of(pair[1])) is pair:
                del self._held[self.id_of(pair[1])]
        self.held_gauge.set(len(self._held))
        log.info("%d held %s written", len(pairs), self.what)
        return True

    def _failed(self, problem: Exception) -> None:
        STATE_DATABASE_ERRORS.labels(self.store, failure_reason(problem)).inc()

    def held(self, owner: str, item_id: str) -> T | None:
        """The object of owner's still waiting for the database, if it is one."""
        entry = self._held.get(item_id)
        return entry[1] if entry is not None and entry[0] == owner else None

    def forget(self, owner: str, item_id: str) -> bool:
        """Whether owner's held object was there (and is now gone)."""
        if self.held(owner, item_id) is None:
            return False
        del self._held[item_id]
        self.held_gauge.set(len(self._held))
        return True

    async def drained(self) -> None:
        """Every put made so far, written (what was answered as stored is stored), or held
        objects tried once more and, the database still out of reach, counted as lost."""
        if self._writer is not None:
            await self._writer
        if self._retrier is not None:
            self._retrier.cancel()
        if self._held and not await self._write_held():
            log.error("%d %s lost: the database cannot be reached", len(self._held), self.what)
            self.dropped.inc(len(self._held))
            self._held.clear()
            self.held_gauge.set(0)
