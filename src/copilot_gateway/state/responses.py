"""Stored Responses API responses: each belongs to the key that created it, and lives for
`GATEWAY_RESPONSES_TTL` seconds.

`ResponseStore` is the interface; `SQLiteResponseStore` the default: one file, WAL mode so
several `--workers` read and write it at once, every call run off the event loop. With
`GATEWAY_DATABASE_URL` they live in that database instead, shared by replicas
(`responses_sql`). Either store's failure to reach its database is a 503 that says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from ..observability.metrics import RESPONSES_DROPPED, RESPONSES_HELD
from .database import DATABASE_FAILURES, reaching_the_database

log = logging.getLogger(__name__)
Json = dict[str, Any]
PURGE_EVERY_SECONDS = 60.0  # old rows are deleted at most this often, by any writer
HELD_LIMIT = 10_000  # responses held in memory while the database cannot be reached
RETRY_SECONDS = 1.0  # how often held responses are tried again
BUSY_TIMEOUT_SECONDS = 10.0  # how long a writer waits for another process's write


@dataclass(frozen=True)
class StoredResponse:
    response: Json  # the Response object, as the client got it
    input_items: list[Json]  # this request's input, as items with ids
    # Everything the model saw as input (earlier turns first): what a follow-up continues.
    context: list[Json]


class ResponseStore(Protocol):
    async def put(self, owner: str, stored: StoredResponse) -> None: ...

    async def get(self, owner: str, response_id: str) -> StoredResponse | None:
        """The response if it exists, is not expired and belongs to owner."""
        ...

    async def delete(self, owner: str, response_id: str) -> bool:
        """Whether it existed (for owner) and is now gone."""
        ...

    async def aclose(self) -> None: ...


def encoded(stored: StoredResponse) -> bytes:
    return orjson.dumps(
        {"response": stored.response, "input_items": stored.input_items, "context": stored.context}
    )


def decoded(body: bytes) -> StoredResponse:
    fields = orjson.loads(body)
    return StoredResponse(fields["response"], fields["input_items"], fields["context"])


Batch = list[tuple[str, StoredResponse]]  # (owner, response), in the order they were put


class WriteBatches:
    """Puts that arrive while a write is on go together in the next one: under load, one
    round trip and one commit for them all, where one each cost more than the rest of a
    request. Each put returns once its batch is committed, or, the database failing, once
    its response is held in this process: served from there (`held`) and written once the
    database answers again, tried every `retry_seconds`. At most `held_limit` are held; past
    it the oldest are dropped and counted, so an outage costs responses, never memory."""

    def __init__(
        self,
        write_all: Callable[[Batch], Awaitable[None]],
        held_limit: int = HELD_LIMIT,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.write_all = write_all
        self.held_limit = held_limit
        self.retry_seconds = retry_seconds
        self._waiting: list[tuple[str, StoredResponse, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._held: dict[str, tuple[str, StoredResponse]] = {}  # by id, oldest first
        self._retrier: asyncio.Task[None] | None = None

    async def put(self, owner: str, stored: StoredResponse) -> None:
        written = asyncio.get_running_loop().create_future()
        self._waiting.append((owner, stored, written))
        writer = self._writer
        if writer is None or writer.done() or writer.get_loop() is not written.get_loop():
            self._writer = asyncio.create_task(self._write_waiting())
        await asyncio.shield(written)  # a caller that gives up does not undo the write

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            pairs = [(owner, stored) for owner, stored, _ in batch]
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
                for _, stored in pairs:  # a newer put of a held id supersedes it
                    self._held.pop(stored.response["id"], None)
            for *_, written in batch:
                if not written.done():
                    written.set_result(None)
            RESPONSES_HELD.set(len(self._held))

    def _hold(self, pairs: Batch, problem: Exception) -> None:
        log.warning(
            "stored responses cannot be written (%s): %d held until the database answers",
            type(problem).__name__,
            len(pairs),
        )
        for owner, stored in pairs:
            self._held.pop(stored.response["id"], None)
            self._held[stored.response["id"]] = (owner, stored)
        while len(self._held) > self.held_limit:
            del self._held[next(iter(self._held))]
            RESPONSES_DROPPED.inc()
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
        except DATABASE_FAILURES:
            return False
        for pair in pairs:
            if self._held.get(pair[1].response["id"]) is pair:
                del self._held[pair[1].response["id"]]
        RESPONSES_HELD.set(len(self._held))
        log.info("%d held stored responses written", len(pairs))
        return True

    def held(self, owner: str, response_id: str) -> StoredResponse | None:
        """The response of owner's still waiting for the database, if it is one."""
        entry = self._held.get(response_id)
        return entry[1] if entry is not None and entry[0] == owner else None

    def forget(self, owner: str, response_id: str) -> bool:
        """Whether owner's held response was there (and is now gone)."""
        if self.held(owner, response_id) is None:
            return False
        del self._held[response_id]
        RESPONSES_HELD.set(len(self._held))
        return True

    async def drained(self) -> None:
        """Every put made so far, written (what was answered as stored is stored), or held
        responses tried once more and, the database still out of reach, counted as lost."""
        if self._writer is not None:
            await self._writer
        if self._retrier is not None:
            self._retrier.cancel()
        if self._held and not await self._write_held():
            log.error("%d stored responses lost: the database cannot be reached", len(self._held))
            RESPONSES_DROPPED.inc(len(self._held))
            self._held.clear()
            RESPONSES_HELD.set(0)


SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_expiry ON responses (expires_at);
"""


class SQLiteResponseStore:
    def __init__(self, path: Path, ttl_seconds: float) -> None:
        self.path = path
        self.ttl = ttl_seconds
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # one connection, used by one thread at a time
        self._next_purge = 0.0
        self._batches = WriteBatches(lambda batch: asyncio.to_thread(self._put_all, batch))

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(SCHEMA)
            self._connection = connection
        return self._connection

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection, for one thread at a time, in one transaction committed on success."""
        with self._lock:
            connection = self._connect()
            with connection:
                yield connection

    def _run(self, statement: str, parameters: tuple = ()) -> list[tuple]:
        with self._transaction() as connection:
            return connection.execute(statement, parameters).fetchall()

    def _put_all(self, batch: Batch) -> None:
        """Every response of the batch, in one transaction."""
        now = time.time()
        rows = [
            (stored.response["id"], owner, now + self.ttl, encoded(stored))
            for owner, stored in batch
        ]
        with self._transaction() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO responses (id, owner, expires_at, body) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )
        if now >= self._next_purge:
            self._next_purge = now + PURGE_EVERY_SECONDS
            self._run("DELETE FROM responses WHERE expires_at < ?", (now,))

    def _get(self, owner: str, response_id: str) -> StoredResponse | None:
        rows = self._run(
            "SELECT body FROM responses WHERE id = ? AND owner = ? AND expires_at >= ?",
            (response_id, owner, time.time()),
        )
        return decoded(rows[0][0]) if rows else None

    def _delete(self, owner: str, response_id: str) -> bool:
        rows = self._run(
            "DELETE FROM responses WHERE id = ? AND owner = ? AND expires_at >= ? RETURNING id",
            (response_id, owner, time.time()),
        )
        return bool(rows)

    @reaching_the_database
    async def put(self, owner: str, stored: StoredResponse) -> None:
        """Stored (committed, or held until the database answers) when this returns (see
        `WriteBatches`)."""
        await self._batches.put(owner, stored)

    @reaching_the_database
    async def get(self, owner: str, response_id: str) -> StoredResponse | None:
        if (held := self._batches.held(owner, response_id)) is not None:
            return held
        return await asyncio.to_thread(self._get, owner, response_id)

    @reaching_the_database
    async def delete(self, owner: str, response_id: str) -> bool:
        held = self._batches.forget(owner, response_id)
        return await asyncio.to_thread(self._delete, owner, response_id) or held

    async def aclose(self) -> None:
        await self._batches.drained()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
