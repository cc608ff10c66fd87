"""Stored Responses API responses in the state's database (SQLAlchemy; PostgreSQL when
`GATEWAY_DATABASE_URL` is set), so that every replica serves what any of them stored.

The same rules as the SQLite file store (`responses`): a response belongs to the key that
created it and lives `GATEWAY_RESPONSES_TTL` seconds; puts made while a write is on go
together in the next one.
"""

from __future__ import annotations

import time

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .database import StateDatabase, reaching_the_database
from .responses import (
    PURGE_EVERY_SECONDS,
    Batch,
    StoredResponse,
    decoded,
    encoded,
    response_batches,
)
from .responses_table import RESPONSES


class SqlResponseStore:
    def __init__(self, database: StateDatabase, ttl_seconds: float) -> None:
        self.database = database
        self.ttl = ttl_seconds
        self._next_purge = 0.0
        self._batches = response_batches(self._put_all, database.sqlite_file)

    @reaching_the_database
    async def put(self, owner: str, stored: StoredResponse) -> None:
        """Stored (committed, or held until the database answers) when this returns."""
        await self._batches.put(owner, stored)

    async def _put_all(self, batch: Batch) -> None:
        now = time.time()
        rows = {  # an id put twice in one batch: the last put wins, as one at a time
            stored.response["id"]: {
                "id": stored.response["id"],
                "owner": owner,
                "expires_at": now + self.ttl,
                "body": encoded(stored),
            }
            for owner, stored in batch
        }
        engine = await self.database.ready()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(RESPONSES)
        upsert = insert.on_conflict_do_update(
            index_elements=[RESPONSES.c.id],
            set_={name: insert.excluded[name] for name in ("owner", "expires_at", "body")},
        )
        async with engine.begin() as connection:
            await connection.execute(upsert, list(rows.values()))
            if now >= self._next_purge:
                self._next_purge = now + PURGE_EVERY_SECONDS
                await connection.execute(delete(RESPONSES).where(RESPONSES.c.expires_at < now))

    def _live(self, owner: str, response_id: str) -> list:
        return [
            RESPONSES.c.id == response_id,
            RESPONSES.c.owner == owner,
            RESPONSES.c.expires_at >= time.time(),
        ]

    @reaching_the_database
    async def get(self, owner: str, response_id: str) -> StoredResponse | None:
        if (held := self._batches.held(owner, response_id)) is not None:
            return held
        engine = await self.database.ready()
        async with engine.connect() as connection:
            query = select(RESPONSES.c.body).where(*self._live(owner, response_id))
            body = (await connection.execute(query)).scalar_one_or_none()
        return None if body is None else decoded(body)

    @reaching_the_database
    async def delete(self, owner: str, response_id: str) -> bool:
        held = self._batches.forget(owner, response_id)
        engine = await self.database.ready()
        async with engine.begin() as connection:
            result = await connection.execute(
                delete(RESPONSES).where(*self._live(owner, response_id))
            )
        return bool(result.rowcount) or held

    async def aclose(self) -> None:
        await self._batches.drained()  # the database itself is closed by its owner
