"""Stored chat completions (`store: true`), in the state's database: SQLite by default,
PostgreSQL when `GATEWAY_DATABASE_URL` is set, so that every replica serves what any stored.

The Responses store's rules: a completion belongs to the key that created it (another
key's is unknown), lives `GATEWAY_CHAT_COMPLETIONS_TTL` seconds, and what expired is purged
by a later write. Listed oldest first (or newest), by the time it was stored; filtered by
model and by metadata pairs, each kept in a row of its own so that a filter is an index
lookup, whatever the key's characters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy import and_, delete, exists, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ..observability.metrics import COMPLETIONS_DROPPED, COMPLETIONS_HELD
from .completions_table import CHAT_COMPLETION_METADATA, CHAT_COMPLETIONS
from .database import StateDatabase, reaching_the_database
from .responses import PURGE_EVERY_SECONDS
from .write_batches import Batch, WriteBatches

Json = dict[str, Any]
Order = Literal["asc", "desc"]
TABLE = CHAT_COMPLETIONS.c
PAIRS = CHAT_COMPLETION_METADATA.c
# What a put again of a stored id replaces (a held one written twice, its metadata changed).
REPLACED = ("owner", "created_at", "expires_at", "model", "requested_model", "body")


@dataclass(frozen=True)
class StoredCompletion:
    completion: Json  # the chat completion, as the client got it, its metadata included
    messages: list[Json]  # the request's messages, each with its id
    requested_model: str  # the model the client named (the answer may name a dated one)


@dataclass(frozen=True)
class CompletionQuery:
    """Which of a key's completions to list, and how many."""

    model: str | None = None  # the answer's model or the requested one
    metadata: dict[str, str] = field(default_factory=dict)  # every pair must match
    after: str | None = None  # the id the previous page ended with
    limit: int = 20
    order: Order = "asc"


@dataclass(frozen=True)
class CompletionPage:
    completions: list[Json]
    has_more: bool


def encoded(stored: StoredCompletion) -> bytes:
    return orjson.dumps(
        {
            "completion": stored.completion,
            "messages": stored.messages,
            "requested_model": stored.requested_model,
        }
    )


def decoded(body: bytes) -> StoredCompletion:
    fields = orjson.loads(body)
    return StoredCompletion(fields["completion"], fields["messages"], fields["requested_model"])


def pairs(completion_id: str, metadata: dict[str, str]) -> list[Json]:
    return [
        {"completion_id": completion_id, "key": key, "value": value}
        for key, value in metadata.items()
    ]


@dataclass(frozen=True)
class PutCompletion:
    """A completion as it was put: its time orders the listing, however late it is written."""

    stored: StoredCompletion
    at: float


def with_metadata(stored: StoredCompletion, metadata: dict[str, str]) -> StoredCompletion:
    return StoredCompletion(
        {**stored.completion, "metadata": metadata}, stored.messages, stored.requested_model
    )


class CompletionStore:
    """A process's view of the stored completions. Puts are batched and, the database out of
    reach, held in the process (read, changed and deleted there) until it answers again (see
    `write_batches`); every other operation answers 503 when it cannot be reached (see
    `reaching_the_database`)."""

    def __init__(self, database: StateDatabase, ttl_seconds: float) -> None:
        self.database = database
        self.ttl = ttl_seconds
        self._next_purge = 0.0
        self._batches: WriteBatches[PutCompletion] = WriteBatches(
            self._put_all,
            id_of=lambda put: str(put.stored.completion["id"]),
            what="stored chat completions",
            store="completions",
            sqlite_file=database.sqlite_file,
            held_gauge=COMPLETIONS_HELD,
            dropped=COMPLETIONS_DROPPED,
        )

    def _live(self, owner: str, completion_id: str) -> list:
        return [TABLE.id == completion_id, TABLE.owner == owner, TABLE.expires_at >= time.time()]

    def _held(self, owner: str, completion_id: str) -> PutCompletion | None:
        put = self._batches.held(owner, completion_id)
        return put if put is not None and put.at + self.ttl >= time.time() else None

    @reaching_the_database
    async def put(self, owner: str, stored: StoredCompletion) -> None:
        """Stored (committed, or held until the database answers) when this returns."""
        await self._batches.put(owner, PutCompletion(stored, time.time()))

    async def _put_all(self, batch: Batch[PutCompletion]) -> None:
        """Every completion of the batch, in one transaction (one put again replaces it)."""
        # An id put twice in one batch: the last put wins, as one at a time.
        latest = {put.stored.completion["id"]: (owner, put) for owner, put in batch}
        rows = [
            {
                "id": completion_id,
                "owner": owner,
                "created_at": put.at,
                "expires_at": put.at + self.ttl,
                "model": put.stored.completion["model"],
                "requested_model": put.stored.requested_model,
                "body": encoded(put.stored),
            }
            for completion_id, (owner, put) in latest.items()
        ]
        metadata = [
            pair
            for completion_id, (_, put) in latest.items()
            for pair in pairs(completion_id, put.stored.completion.get("metadata") or {})
        ]
        now = time.time()
        engine = await self.database.ready()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        inserting = dialect.insert(CHAT_COMPLETIONS)
        upsert = inserting.on_conflict_do_update(
            index_elements=[TABLE.id],
            set_={name: inserting.excluded[name] for name in REPLACED},
        )
        async with engine.begin() as connection:
            if now >= self._next_purge:
                self._next_purge = now + PURGE_EVERY_SECONDS
                await self._purge(connection, now)
            await connection.execute(upsert, rows)
            await connection.execute(
                delete(CHAT_COMPLETION_METADATA).where(PAIRS.completion_id.in_(list(latest)))
            )
            if metadata:
                await connection.execute(insert(CHAT_COMPLETION_METADATA), metadata)

    async def _purge(self, connection: AsyncConnection, now: float) -> None:
        expired = select(TABLE.id).where(TABLE.expires_at < now)
        await connection.execute(
            delete(CHAT_COMPLETION_METADATA).where(PAIRS.completion_id.in_(expired))
        )
        await connection.execute(delete(CHAT_COMPLETIONS).where(TABLE.expires_at < now))

    @reaching_the_database
    async def get(self, owner: str, completion_id: str) -> StoredCompletion | None:
        """The completion if it exists, is not expired and belongs to owner."""
        if (held := self._held(owner, completion_id)) is not None:
            return held.stored
        engine = await self.database.ready()
        async with engine.connect() as connection:
            query = select(TABLE.body).where(*self._live(owner, completion_id))
            body = (await connection.execute(query)).scalar_one_or_none()
        return None if body is None else decoded(body)

    @reaching_the_database
    async def list(self, owner: str, query: CompletionQuery) -> CompletionPage:
        """One page of owner's completions; an `after` that names none of them, an empty one."""
        now = time.time()
        conditions = [TABLE.owner == owner, TABLE.expires_at >= now]
        if query.model is not None:
            conditions.append(or_(TABLE.model == query.model, TABLE.requested_model == query.model))
        for key, value in query.metadata.items():
            conditions.append(
                exists().where(
                    PAIRS.completion_id == TABLE.id, PAIRS.key == key, PAIRS.value == value
                )
            )
        engine = await self.database.ready()
        async with engine.connect() as connection:
            if query.after is not None:
                cursor = select(TABLE.created_at).where(*self._live(owner, query.after))
                at = (await connection.execute(cursor)).scalar_one_or_none()
                if at is None:
                    return CompletionPage([], has_more=False)
                # Ties in time are ordered by id, so no completion is skipped or repeated.
                if query.order == "asc":
                    later = or_(
                        TABLE.created_at > at, and_(TABLE.created_at == at, TABLE.id > query.after)
                    )
                else:
                    later = or_(
                        TABLE.created_at < at, and_(TABLE.created_at == at, TABLE.id < query.after)
                    )
                conditions.append(later)
            ordering = (
                (TABLE.created_at.asc(), TABLE.id.asc())
                if query.order == "asc"
                else (TABLE.created_at.desc(), TABLE.id.desc())
            )
            listed = select(TABLE.body).where(*conditions).order_by(*ordering)
            rows = (await connection.execute(listed.limit(query.limit + 1))).scalars().all()
        page = [decoded(body).completion for body in rows[: query.limit]]
        return CompletionPage(page, has_more=len(rows) > query.limit)

    @reaching_the_database
    async def update_metadata(
        self, owner: str, completion_id: str, metadata: dict[str, str]
    ) -> StoredCompletion | None:
        """The completion with its metadata replaced, or None if owner has none of that id."""
        if (held := self._held(owner, completion_id)) is not None:
            changed = with_metadata(held.stored, metadata)
            await self._batches.put(
                owner, PutCompletion(changed, held.at)
            )  # held again, or written
            return changed
        engine = await self.database.ready()
        async with engine.begin() as connection:
            query = select(TABLE.body).where(*self._live(owner, completion_id))
            body = (await connection.execute(query.with_for_update())).scalar_one_or_none()
            if body is None:
                return None
            changed = with_metadata(decoded(body), metadata)
            await connection.execute(
                update(CHAT_COMPLETIONS)
                .where(TABLE.id == completion_id)
                .values(body=encoded(changed))
            )
            await connection.execute(
                delete(CHAT_COMPLETION_METADATA).where(PAIRS.completion_id == completion_id)
            )
            if metadata:
                await connection.execute(
                    insert(CHAT_COMPLETION_METADATA), pairs(completion_id, metadata)
                )
        return changed

    @reaching_the_database
    async def delete(self, owner: str, completion_id: str) -> bool:
        """Whether it existed (for owner) and is now gone."""
        if self._batches.forget(owner, completion_id):
            return True  # held, so never written
        engine = await self.database.ready()
        async with engine.begin() as connection:
            result = await connection.execute(
                delete(CHAT_COMPLETIONS).where(*self._live(owner, completion_id))
            )
            if not result.rowcount:
                return False
            await connection.execute(
                delete(CHAT_COMPLETION_METADATA).where(PAIRS.completion_id == completion_id)
            )
        return True

    async def aclose(self) -> None:
        await self._batches.drained()  # the database itself is closed by its owner
