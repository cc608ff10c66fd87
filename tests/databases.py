"""The two databases the gateway's state lives in, for tests that run on each: a SQLite file
in the test's directory, or a fresh database of the session's PostgreSQL cluster."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.pool import NullPool

from copilot_gateway.state.ledger.table import LEDGER
from postgres_server import PostgresServer

KINDS = ["sqlite", "postgresql"]
_names = itertools.count()


@dataclass
class Database:
    kind: str
    settings: dict[str, Any]  # what points a gateway's settings at it
    engine: Engine  # the test's own (synchronous) view of it

    def ledger(self) -> list[dict[str, Any]]:
        """Every ledger row, oldest first."""
        with self.engine.connect() as connection:
            # Through the table's own types: SQLite keeps booleans as 0 and 1.
            result = connection.execute(select(LEDGER).order_by(LEDGER.c.id))
            return [dict(row._mapping) for row in result]

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM ledger")).scalar_one())


@contextmanager
def sqlite_database(directory: Path) -> Iterator[Database]:
    path = directory / "ledger.sqlite3"
    with _viewed("sqlite", {"ledger_db": path}, f"sqlite:///{path}") as database:
        yield database


@contextmanager
def postgres_database(server: PostgresServer) -> Iterator[Database]:
    url = server.new_database(f"test_{next(_names)}")
    viewed_as = url.replace("postgresql://", "postgresql+psycopg://")
    with _viewed("postgresql", {"database_url": url}, viewed_as) as database:
        yield database


@contextmanager
def _viewed(kind: str, settings: dict[str, Any], url: str) -> Iterator[Database]:
    # A connection per look: one kept in a pool would be dead after a server restart.
    engine = create_engine(url, poolclass=NullPool)
    try:
        yield Database(kind, settings, engine)
    finally:
        engine.dispose()


def database_of(
    kind: str, request: pytest.FixtureRequest, directory: Path
) -> AbstractContextManager[Database]:
    """The database of this kind for a test (PostgreSQL's from the `postgres` fixture)."""
    if kind == "sqlite":
        return sqlite_database(directory)
    return postgres_database(request.getfixturevalue("postgres"))
