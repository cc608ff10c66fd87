"""The runtime keys as this process knows them: held in memory, looked up by their SHA-256,
and kept fresh from the state's database.

    every `keys_refresh_seconds` ─► read the revision (one integer) ─► changed: read every key
    a key not known here        ─► the same at once, coalesced: one read in flight, at most
                                   `1 / UNKNOWN_KEY_REFRESH_SECONDS` a second, however many
                                   unknown keys arrive (random keys cannot hammer the database)

So a key made by the CLI works at once, and a revoked one is refused by every process within
a refresh. The database unreachable: the last keys known keep working (said once in the log)
for `keys_max_stale_seconds` after its last answer, so a key revoked elsewhere meanwhile
works that long at most; past it, and for a key not known here (it may have been made on
another replica), a 503 `database_unavailable`: a client retries that, where it gives up at
a 401. Once the database answers the keys are read again, revocations with them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Coroutine
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from ..errors import GatewayError
from ..state.database import StateDatabase
from ..state.keys import store
from .keys import digest
from .rules import KeyEntry

log = logging.getLogger(__name__)
# A key not known here reads the database at most this often (all such keys together).
UNKNOWN_KEY_REFRESH_SECONDS = 0.2
FAILURES = (SQLAlchemyError, OSError)


def entry_of(row: store.Row) -> KeyEntry:
    """A key's row as the access rules and the limits read it."""
    rules = {column: row[column] for column in store.RULE_COLUMNS}
    return KeyEntry(
        name=row["name"], sha256=row["sha256"], **{**rules, "deny": rules["deny"] or []}
    )


class RuntimeKeys:
    """One per process: `start` and `aclose` in the app's lifespan; `lookup` a presented key."""

    def __init__(
        self, database: StateDatabase, refresh_seconds: float, max_stale_seconds: float
    ) -> None:
        self.database = database
        self.refresh_seconds = refresh_seconds
        self.max_stale_seconds = max_stale_seconds
        self._answered_at = float("-inf")  # the database's last answer (monotonic)
        self._names: dict[bytes, str] = {}  # digest -> name, active keys only
        self._entries: dict[str, KeyEntry] = {}
        self._revision: int | None = None
        self._reachable = True
        self._last_read = float("-inf")
        self._reading: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None

    def entry(self, name: str) -> KeyEntry | None:
        return self._entries.get(name)

    def __len__(self) -> int:
        return len(self._entries)

    async def lookup(self, token: str) -> str | None:
        """The name of the active runtime key `token` is, if any (read again if unknown)."""
        presented = digest(token)
        name = self._names.get(presented)
        if name is None and self._task is not None:
            await self._read_soon()
            name = self._names.get(presented)
        if self._task is not None and not self._reachable:
            stale = time.monotonic() - self._answered_at > self.max_stale_seconds
            if name is None or stale:
                raise GatewayError(
                    "The gateway's database cannot be reached to check this key: try again.",
                    status=503,
                    code="database_unavailable",
                )
        return name

    async def start(self) -> None:
        await self.refresh()
        self._task = asyncio.create_task(self._run(), name="runtime keys refresh")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def refresh(self) -> None:
        """The keys read again if the revision changed (the database unreachable: kept)."""
        self._last_read = time.monotonic()
        try:
            engine = await self.database.ready()
            if await store.revision(engine) == self._revision:
                self._now_reachable()
                return
            revision, rows = await store.load(engine)
        except FAILURES as problem:
            if self._reachable:
                self._reachable = False
                log.warning(
                    "runtime keys: the database cannot be reached (%s); the %d keys known "
                    "keep working",
                    type(problem).__name__,
                    len(self._entries),
                )
            return
        self._now_reachable()
        entries = {}
        for row in rows:
            if row["revoked_at"] is not None:
                continue
            try:
                entries[row["name"]] = entry_of(row)
            except ValidationError:
                log.error("runtime keys: key %r has rules that do not load; ignored", row["name"])
        self._entries = entries
        self._names = {bytes.fromhex(entry.sha256): name for name, entry in entries.items()}
        self._revision = revision

    def _now_reachable(self) -> None:
        self._answered_at = time.monotonic()
        if not self._reachable:
            self._reachable = True
            log.info("runtime keys: the database answers again")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            await self.refresh()

    async def _read_soon(self) -> None:
        """One read for every unknown key arriving meanwhile, no sooner than the last read
        allows: they all wait on the same one."""
        if self._reading is None:
            wait = self._last_read + UNKNOWN_KEY_REFRESH_SECONDS - time.monotonic()
            self._reading = asyncio.ensure_future(self._read_after(max(0.0, wait)))
        await asyncio.shield(self._reading)

    async def _read_after(self, seconds: float) -> None:
        try:
            if seconds:
                await asyncio.sleep(seconds)  # the rate bound on unknown keys' reads
            await self.refresh()
        finally:
            self._reading = None


def active_keys_now(database_url: str) -> int:
    """How many runtime keys are active in the database (0 when it cannot be reached), for
    the start-up decision whether clients need keys; from any thread, loop or none."""

    async def count() -> int:
        database = StateDatabase(database_url)
        try:
            return await store.active_count(await database.ready())
        except FAILURES as problem:
            log.warning("runtime keys: not counted at start-up (%s)", type(problem).__name__)
            return 0
        finally:
            await database.aclose()

    return run_apart(count())


def run_apart(coroutine: Coroutine[Any, Any, int]) -> int:
    """A coroutine run to its end in a thread of its own (the caller may be in a loop)."""
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return result[0]
