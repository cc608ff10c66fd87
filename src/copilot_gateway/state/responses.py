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

from ..observability.metrics import RESPONSES_DROPPED, RESPONSES_HELD
from .database import BUSY_TIMEOUT_SECONDS, reaching_the_database
from .write_batches import WriteBatches

Json = dict[str, Any]
PURGE_EVERY_SECONDS = 60.0  # old rows are deleted at most this often, by any writer


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


def response_batches(
    write_all: Callable[[Batch], Awaitable[None]], sqlite_file: Path | None
) -> WriteBatches[StoredResponse]:
    """A store's writes of responses, batched and held while the database is away."""
    return WriteBatches(
        write_all,
        id_of=lambda stored: str(stored.response["id"]),
        what="stored responses",
        store="responses",
        sqlite_file=sqlite_file,
        held_gauge=RESPONSES_HELD,
        dropped=RESPONSES_DROPPED,
    )


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
        self._batches = response_batches(
            lambda batch: asyncio.to_thread(self._put_all, batch), path
        )

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
        `write_batches`)."""
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
