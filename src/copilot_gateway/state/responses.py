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
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from .database import reaching_the_database

Json = dict[str, Any]
PURGE_EVERY_SECONDS = 60.0  # old rows are deleted at most this often, by any writer
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
    request. Each put returns once its batch is committed, or raises why it was not."""

    def __init__(self, write_all: Callable[[Batch], Awaitable[None]]) -> None:
        self.write_all = write_all
        self._waiting: list[tuple[str, StoredResponse, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

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
            try:
                await self.write_all([(owner, stored) for owner, stored, _ in batch])
            except Exception as problem:  # each waiting caller hears why
                for *_, written in batch:
                    if not written.done():
                        written.set_exception(problem)
            else:
                for *_, written in batch:
                    if not written.done():
                        written.set_result(None)

    async def drained(self) -> None:
        """Every put made so far, written (what was answered as stored is stored)."""
        if self._writer is not None:
            await self._writer


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
        """Stored (committed) when this returns (see `WriteBatches`)."""
        await self._batches.put(owner, stored)

    @reaching_the_database
    async def get(self, owner: str, response_id: str) -> StoredResponse | None:
        return await asyncio.to_thread(self._get, owner, response_id)

    @reaching_the_database
    async def delete(self, owner: str, response_id: str) -> bool:
        return await asyncio.to_thread(self._delete, owner, response_id)

    async def aclose(self) -> None:
        await self._batches.drained()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
