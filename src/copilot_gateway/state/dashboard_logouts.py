"""The dashboard's ended sessions: a logout writes its session's id here, and every process
reads it before taking a session cookie, so a copied cookie stops working on every worker
and replica at once. A row outlives its session by nothing: those past their expiry are
deleted by the next logout."""

from __future__ import annotations

from sqlalchemy import Column, Float, Table, Text, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from .schema import METADATA

LOGOUTS = Table(
    "dashboard_logouts",
    METADATA,
    Column("session_id", Text, primary_key=True),
    Column("expires_at", Float, nullable=False),  # the session's own expiry (epoch seconds)
)


async def ended(engine: AsyncEngine, session_id: str) -> bool:
    """Whether this session was logged out, on any process."""
    async with engine.connect() as connection:
        query = select(LOGOUTS.c.session_id).where(LOGOUTS.c.session_id == session_id)
        return (await connection.execute(query)).first() is not None


async def end(engine: AsyncEngine, session_id: str, expires_at: float, now: float) -> None:
    """Ends a session for every process; forgets those already expired."""
    async with engine.begin() as connection:
        await connection.execute(delete(LOGOUTS).where(LOGOUTS.c.expires_at <= now))
        try:
            async with connection.begin_nested():
                values = {"session_id": session_id, "expires_at": expires_at}
                await connection.execute(insert(LOGOUTS).values(values))
        except IntegrityError:
            pass  # logged out twice (two tabs): ended already
