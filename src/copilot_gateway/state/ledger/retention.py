"""The ledger's retention: rows past it deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from .table import LEDGER


async def purge(engine: AsyncEngine, retention_days: float) -> int:
    """Rows older than the retention deleted; how many."""
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    async with engine.begin() as connection:
        result = await connection.execute(delete(LEDGER).where(LEDGER.c.at < cutoff))
    return result.rowcount
