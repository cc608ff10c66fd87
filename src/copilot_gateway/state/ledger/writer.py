"""The ledger's buffer and the task that writes it: rows go in as requests end (never
waiting on the database), and out in batches, one transaction each.

The buffer is bounded: while the database is unreachable the rows wait in it and are
written once it is back, in order; past the bound new rows are dropped and counted
(`gateway_ledger_rows_dropped_total`), so a long outage costs rows, never memory. A row
leaves the buffer only once its batch is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque

from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from ...observability import metrics
from ...observability.record import RequestRecord
from ..database import StateDatabase, failure_reason, failure_said
from . import rollup
from .retention import purge
from .rows import Row, row_of
from .table import LEDGER

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 3600.0  # rows past the retention are deleted at most this often


class Ledger:
    """One per process: `note` each finished request; `start` and `aclose` in the app's
    lifespan. Until `start`, rows only gather in the buffer."""

    def __init__(
        self,
        database: StateDatabase,
        *,
        retention_days: float,
        buffer_rows: int,
        batch_rows: int,
        flush_seconds: float,
    ) -> None:
        self.database = database  # shared with the runtime keys: its owner closes it
        self.retention_days = retention_days  # 0: kept for ever
        self.buffer_rows = buffer_rows
        self.batch_rows = batch_rows
        self.flush_seconds = flush_seconds
        self._pending: deque[Row] = deque()
        self._engine: AsyncEngine | None = None
        self._reachable = True  # as last seen: a change is logged once
        self._next_purge = 0.0
        self._wake = asyncio.Event()  # a batch's worth is waiting
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def note(self, record: RequestRecord) -> None:
        """The request's row, into the buffer (or dropped and counted, the buffer full)."""
        if len(self._pending) >= self.buffer_rows:
            metrics.LEDGER_ROWS_DROPPED.inc()
            return
        self._pending.append(row_of(record))
        metrics.LEDGER_ROWS_BUFFERED.set(len(self._pending))
        if len(self._pending) >= self.batch_rows:
            self._wake.set()

    @property
    def engine(self) -> AsyncEngine | None:
        """The database's engine once started (what reports read: `reports.usage_report`)."""
        return self._engine

    @property
    def pending(self) -> int:
        """Rows noted and not yet committed."""
        return len(self._pending)

    async def start(self) -> None:
        """The schema migrated and old rows purged (a database that cannot be reached is
        logged, and tried again by the writer), then the writer started."""
        self._engine = self.database.engine
        await self._ready()
        self._task = asyncio.create_task(self._run(), name="ledger writer")

    async def aclose(self) -> None:
        """What is buffered, written (one last try); the database is left open for its owner."""
        if self._task is not None:
            self._stop.set()
            self._wake.set()  # the writer's wait ends now, not at the next flush
            await self._task
        if self._engine is None:
            return
        if self._pending and not await self._write_pending():
            log.warning("ledger: %d rows not written at shutdown", len(self._pending))
            metrics.LEDGER_ROWS_DROPPED.inc(len(self._pending))
            self._pending.clear()
            metrics.LEDGER_ROWS_BUFFERED.set(0)

    async def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_seconds)
            self._wake.clear()
            if not await self._write_pending():
                # Unreachable: tried again after a pause, however many rows come meanwhile.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.flush_seconds)

    async def _ready(self) -> bool:
        """Whether the schema is at head and the database answers (purging when due)."""
        assert self._engine is not None
        try:
            await self.database.ready()
            if self.retention_days and time.monotonic() >= self._next_purge:
                await purge(self._engine, self.retention_days)
                self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        except (DBAPIError, OSError) as problem:
            self._unreachable(problem)
            return False
        return True

    async def _write_pending(self) -> bool:
        """Every buffered row, a batch per transaction; False when the database could not
        be reached (the rows stay buffered)."""
        if not self._pending:
            return True
        if not await self._ready():
            return False
        assert self._engine is not None
        while self._pending:
            batch = list(itertools.islice(self._pending, self.batch_rows))
            try:
                async with self._engine.begin() as connection:
                    await connection.execute(insert(LEDGER), batch)
                    await rollup.add(connection, batch)  # the same transaction: never apart
                metrics.LEDGER_ROWS_WRITTEN.inc(len(batch))
            except (DBAPIError, OSError) as problem:
                if isinstance(problem, DBAPIError) and not is_connection_problem(problem):
                    # Not the database's absence: this batch would fail for ever.
                    log.error("ledger: a batch of %d rows refused: %s", len(batch), why(problem))
                    metrics.LEDGER_ROWS_DROPPED.inc(len(batch))
                else:
                    self._unreachable(problem)
                    return False
            except SQLAlchemyError as problem:
                log.error("ledger: a batch of %d rows refused: %s", len(batch), why(problem))
                metrics.LEDGER_ROWS_DROPPED.inc(len(batch))
            for _ in batch:  # new rows only ever join at the right
                self._pending.popleft()
            metrics.LEDGER_ROWS_BUFFERED.set(len(self._pending))
        if not self._reachable:
            self._reachable = True
            log.info("ledger: the database answers again; buffered rows written")
        return True

    def _unreachable(self, problem: BaseException) -> None:
        metrics.STATE_DATABASE_ERRORS.labels("ledger", failure_reason(problem)).inc()
        if self._reachable:
            self._reachable = False
            log.warning(
                "ledger: %s (%s); rows are buffered, up to %d",
                failure_said(problem, self.database.sqlite_file),
                why(problem),
                self.buffer_rows,
            )


def is_connection_problem(problem: DBAPIError) -> bool:
    """The database gone (refused, restarted, unreachable), not a statement it refused."""
    return problem.connection_invalidated or type(problem).__name__ in (
        "OperationalError",
        "InterfaceError",
    )


def why(problem: BaseException) -> str:
    """The driver's own first line: SQLAlchemy's message adds the statement and its rows."""
    original = getattr(problem, "orig", None) or problem
    lines = str(original).strip().splitlines()
    return (lines[0] if lines else type(original).__name__)[:300]
