"""Which database the ledger lives in, its engine, and its schema brought up to date.

One code path for both: SQLAlchemy's async engine over aiosqlite (a file, by default) or
psycopg 3 (`GATEWAY_DATABASE_URL`, a libpq URL as operators write them, `sslmode` and all).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, delete, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ...settings import Settings
from .rollup import ROLLUP, start_of
from .table import LEDGER

MIGRATIONS = Path(__file__).parent / "migrations"
# Every process migrates at start-up; on PostgreSQL they take turns under this lock
# (an arbitrary number, the ledger's own).
MIGRATION_LOCK = 7_302_411
# SQLite has no such lock: a process that lost the race sees the schema at head next time.
MIGRATION_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 5  # an unreachable server costs the writer this, per attempt
BUSY_TIMEOUT_SECONDS = 10.0  # how long a SQLite writer waits for another process's write


def database_url(settings: Settings) -> str:
    """The SQLAlchemy URL of the ledger's database (it may hold a password: never log it)."""
    if settings.database_url is None:
        return f"sqlite+aiosqlite:///{settings.ledger_file}"
    url = settings.database_url.get_secret_value()
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgres", "postgresql") else url


def engine_for(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        # A connection the server dropped (it restarted) is found out before use.
        pool_pre_ping=True,
        pool_size=2,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL, so that several `--workers` write the one file while others read it."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection  # what `migrations/env.py` runs on
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """The schema at alembic's head revision (raises when the database cannot be reached)."""
    for attempt in range(1, MIGRATION_ATTEMPTS + 1):
        try:
            async with engine.begin() as connection:
                await connection.run_sync(_upgrade)
            return
        except SQLAlchemyError:
            if attempt == MIGRATION_ATTEMPTS or not engine.url.drivername.startswith("sqlite"):
                raise


async def purge(engine: AsyncEngine, retention_days: float) -> int:
    """Rows older than the retention deleted, by whole UTC days (so that the rollup's days
    keep every row they sum, or none), with their rollup; how many rows."""
    cutoff = start_of(datetime.now(UTC) - timedelta(days=retention_days), "day")
    async with engine.begin() as connection:
        result = await connection.execute(delete(LEDGER).where(LEDGER.c.at < cutoff))
        await connection.execute(delete(ROLLUP).where(ROLLUP.c.start < cutoff))
    return result.rowcount
