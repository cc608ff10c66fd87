"""The ledger's retention: rows past it deleted, with their rollup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from .rollup import ROLLUP, start_of
from .table import LEDGER


async def purge(engine: AsyncEngine, retention_days: float) -> int:
    """Rows older than the retention deleted, by whole UTC days (so that the rollup's days
    keep every row they sum, or none), with their rollup; how many rows."""
    cutoff = start_of(datetime.now(UTC) - timedelta(days=retention_days), "day")
    async with engine.begin() as connection:
        result = await connection.execute(delete(LEDGER).where(LEDGER.c.at < cutoff))
        await connection.execute(delete(ROLLUP).where(ROLLUP.c.start < cutoff))
    return result.rowcount
