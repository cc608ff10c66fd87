"""The runtime keys' statements, on the state's engine: read them all, or the revision
alone; make, change or revoke one, bumping the revision in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .table import KEYS, KEYS_REVISION

Row = dict[str, Any]
# What a key's row says of its rules and limits: what `update` may change.
RULE_COLUMNS = (
    "allow",
    "deny",
    "rpm",
    "tpm",
    "max_parallel",
    "tokens_per_day",
    "credits_per_day",
    "credits_per_month",
)


class NameTaken(Exception):
    """A key of that name exists already (revoked keys keep theirs)."""


async def revision(engine: AsyncEngine) -> int:
    """The number every change bumps: the cheap check of whether anything changed."""
    async with engine.connect() as connection:
        result = await connection.execute(select(KEYS_REVISION.c.revision))
        return int(result.scalar_one())


async def load(engine: AsyncEngine) -> tuple[int, list[Row]]:
    """The revision and every key (revoked ones too), read in one transaction."""
    async with engine.begin() as connection:
        number = (await connection.execute(select(KEYS_REVISION.c.revision))).scalar_one()
        rows = await connection.execute(select(KEYS).order_by(KEYS.c.id))
        return int(number), [dict(row._mapping) for row in rows]


async def active_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).select_from(KEYS).where(KEYS.c.revoked_at.is_(None))
        return int((await connection.execute(query)).scalar_one())


async def _bump(connection: AsyncConnection) -> None:
    await connection.execute(update(KEYS_REVISION).values(revision=KEYS_REVISION.c.revision + 1))


async def _one(connection: AsyncConnection, name: str) -> Row | None:
    result = await connection.execute(select(KEYS).where(KEYS.c.name == name))
    row = result.first()
    return None if row is None else dict(row._mapping)


async def create(engine: AsyncEngine, row: Row) -> Row:
    """A new key (name, sha256, hint and its rules); raises NameTaken."""
    now = datetime.now(UTC)
    values = {**row, "created_at": now, "updated_at": now, "revoked_at": None}
    try:
        async with engine.begin() as connection:
            if await _one(connection, row["name"]) is not None:
                raise NameTaken(row["name"])
            await connection.execute(insert(KEYS).values(**values))
            await _bump(connection)
            created = await _one(connection, row["name"])
    except IntegrityError:  # another process made it meanwhile
        raise NameTaken(row["name"]) from None
    assert created is not None
    return created


async def change(engine: AsyncEngine, name: str, changes: Row) -> Row | None:
    """The key's rules changed as said; None when no key of that name is active."""
    async with engine.begin() as connection:
        active = (KEYS.c.name == name) & KEYS.c.revoked_at.is_(None)
        values = {**changes, "updated_at": datetime.now(UTC)}
        result = await connection.execute(update(KEYS).where(active).values(**values))
        if not result.rowcount:
            return None
        await _bump(connection)
        return await _one(connection, name)


async def revoke(engine: AsyncEngine, name: str) -> Row | None:
    """The key revoked (its row kept, its name still taken); None when none is active."""
    return await change(engine, name, {"revoked_at": datetime.now(UTC)})


async def one(engine: AsyncEngine, name: str) -> Row | None:
    async with engine.connect() as connection:
        return await _one(connection, name)
