"""The state's database (the ledger, the runtime keys, stored chat completions): which
one, its engine (one per process, shared), and its schema brought up to date.

One code path for both: SQLAlchemy's async engine over aiosqlite (a file, by default) or
psycopg 3 (`GATEWAY_DATABASE_URL`, a libpq URL as operators write them, `sslmode` and all).
"""

from __future__ import annotations

import asyncio
import errno
import functools
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ..errors import GatewayError
from ..settings import Settings

log = logging.getLogger(__name__)
# What a database that cannot be reached (or refuses) raises: through SQLAlchemy, or from a
# SQLite file of the host's read without it; a connection refused or timed out is an OSError.
DATABASE_FAILURES = (SQLAlchemyError, sqlite3.Error, OSError)
P = ParamSpec("P")
T = TypeVar("T")

MIGRATIONS = Path(__file__).parent / "migrations"
# Every process migrates at start-up; on PostgreSQL they take turns under this lock
# (an arbitrary number, the gateway's own).
MIGRATION_LOCK = 7_302_411
# SQLite has no such lock: a process that lost the race sees the schema at head next time.
MIGRATION_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 5  # an unreachable server costs a caller this, per attempt
BUSY_TIMEOUT_SECONDS = 10.0  # how long a SQLite writer waits for another process's write
# SQLite's primary result codes for a file another process holds and a disk with no room.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL = 5, 6, 13


def reaching_the_database(
    method: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """The database unreachable is a 503 that says so (its driver's words stay out of the
    answer; its kind goes to the log)."""

    @functools.wraps(method)
    async def reaching(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except DATABASE_FAILURES as problem:
            log.warning("the state's database failed: %s", type(problem).__name__)
            raise GatewayError(
                "The gateway's database cannot be reached: try again.",
                status=503,
                code="database_unavailable",
            ) from None

    return reaching


def failure_reason(problem: BaseException) -> str:
    """Why the database failed, as `gateway_state_database_errors_total` counts it: `locked`
    (another process holds the SQLite file past the busy timeout), `disk_full`, or
    `unreachable` (anything else: a server gone, a file that cannot be opened)."""
    original = getattr(problem, "orig", None) or problem
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", 0) & 0xFF  # the extended code's primary
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            return "locked"
        if code == SQLITE_FULL:
            return "disk_full"
    if isinstance(original, OSError) and original.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk_full"
    return "unreachable"


def failure_said(problem: BaseException, sqlite_file: Path | None) -> str:
    """The failure in an operator's words: SQLite's file named when it is locked or its disk
    full (a file's path holds no secret; a server's URL may, so it is never named)."""
    reason = failure_reason(problem)
    if sqlite_file is not None and reason == "locked":
        return f"the SQLite file {sqlite_file} is locked by another process"
    if sqlite_file is not None and reason == "disk_full":
        return f"the SQLite file {sqlite_file} cannot be written: disk full"
    return f"the database cannot be reached ({type(problem).__name__})"


def database_url(settings: Settings) -> str:
    """The SQLAlchemy URL of the state's database (it may hold a password: never log it)."""
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


class StateDatabase:
    """The database of one process: its engine made on first use, in the event loop that
    uses it, its schema migrated once; shared by the ledger and the runtime keys."""

    def __init__(self, url: str) -> None:
        self.url = url
        # The file, on SQLite: what a log line names when it is locked or its disk full.
        self.sqlite_file = Path(url.split(":///", 1)[1]) if url.startswith("sqlite") else None
        self._engine: AsyncEngine | None = None
        self._migrated = False
        self._migrating = asyncio.Lock()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = engine_for(self.url)
        return self._engine

    async def ready(self) -> AsyncEngine:
        """The engine, its schema at head (raises when the database cannot be reached)."""
        if not self._migrated:
            async with self._migrating:
                if not self._migrated:
                    await migrate(self.engine)
                    self._migrated = True
        return self.engine

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
