"""The ledger's rollup: its rows summed by UTC hour and by UTC day, per key, model served,
account, client and in all, so that a report over a million rows reads a few thousand.

A plain aggregate over a million ledger rows takes seconds on SQLite (measured:
`scripts/bench`); the rollup is kept by the writer in the same transaction as each batch
it inserts, so it always equals the ledger it summarises (no lag, no second writer). Its
cost is one upsert per (span, dimension, value) a batch touches, a handful per batch at
steady load. Retention purges whole UTC days (`database.purge`), so that a day's rollup
never outlives part of its rows.

`bucket` is where the two dialects differ: SQLite keeps a time as text, PostgreSQL as a
`timestamptz` read in the session's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Float,
    PrimaryKeyConstraint,
    Table,
    Text,
    case,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from .rows import Row
from .table import LEDGER, METADATA

SPANS = ("hour", "day")
# The rollup's dimension, and the ledger's column it sums by ("all": every row in one).
DIMENSIONS = {
    "key": "key_name",
    "model": "model_served",
    "account": "account",
    "client": "client",
    "all": None,
}
SUMS = (
    "requests",
    "errors",
    "input_tokens",
    "cached_tokens",
    "output_tokens",
    "credits",
    "usd",
    "unpriced",
)
NO_VALUE = ""  # a NULL would defeat the primary key (NULLs are never equal): stored as ''

ROLLUP = Table(
    "ledger_rollup",
    METADATA,
    Column("span", Text, nullable=False),  # "hour" or "day"
    Column("dimension", Text, nullable=False),  # a key of DIMENSIONS
    Column("start", DateTime(timezone=True), nullable=False),  # the span's first instant
    Column("value", Text, nullable=False),  # the key's name, the model, ... ('' for none)
    Column("requests", BigInteger, nullable=False),
    Column("errors", BigInteger, nullable=False),  # status >= 400
    Column("input_tokens", BigInteger, nullable=False),
    Column("cached_tokens", BigInteger, nullable=False),
    Column("output_tokens", BigInteger, nullable=False),
    Column("credits", Float, nullable=False),  # unpriced rows count as 0 here
    Column("usd", Float, nullable=False),
    Column("unpriced", BigInteger, nullable=False),  # rows whose cost is unknown
    # Also the reports' index: a span and dimension, then a range of starts.
    PrimaryKeyConstraint("span", "dimension", "start", "value", name="ledger_rollup_pkey"),
)


def start_of(at: datetime, span: str) -> datetime:
    """The first instant of the UTC hour or day `at` falls in (`at` in UTC)."""
    hour = at.replace(minute=0, second=0, microsecond=0)
    return hour if span == "hour" else hour.replace(hour=0)


def bucket(column: Any, span: str, dialect: str) -> ColumnElement[str]:
    """The UTC hour ("2026-12-02T10:00:00Z") or day ("2026-12-02") of a time column, as
    text that sorts as time does."""
    if dialect == "sqlite":
        pattern = "%Y-%m-%dT%H:00:00Z" if span == "hour" else "%Y-%m-%d"
        return func.strftime(pattern, column)
    pattern = 'YYYY-MM-DD"T"HH24:00:00"Z"' if span == "hour" else "YYYY-MM-DD"
    return func.to_char(func.timezone("UTC", column), pattern)


def sums_of_ledger() -> list[ColumnElement[Any]]:
    """The rollup's sums over ledger rows, labelled as the rollup's columns."""
    ledger = LEDGER.c
    return [
        func.count().label("requests"),
        func.coalesce(func.sum(case((ledger.status >= 400, 1), else_=0)), 0).label("errors"),
        func.coalesce(func.sum(ledger.input_tokens), 0).label("input_tokens"),
        func.coalesce(func.sum(ledger.cached_tokens), 0).label("cached_tokens"),
        func.coalesce(func.sum(ledger.output_tokens), 0).label("output_tokens"),
        func.coalesce(func.sum(ledger.credits), 0.0).label("credits"),
        func.coalesce(func.sum(ledger.usd), 0.0).label("usd"),
        func.coalesce(func.sum(case((ledger.credits.is_(None), 1), else_=0)), 0).label("unpriced"),
    ]


def summed(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """A batch of ledger rows as rollup rows: one per span, dimension, start and value,
    in the order of those."""
    # First by hour and every dimension at once (a batch has few such groups: one key and
    # model send many requests an hour), then each group into its rollup rows: the cost
    # per request stays one lookup and a few additions.
    columns = [column for column in DIMENSIONS.values() if column is not None]
    hourly: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        group = (start_of(row["at"], "hour"), *(row[column] or NO_VALUE for column in columns))
        sums = hourly.get(group)
        if sums is None:
            sums = hourly[group] = [0, 0, 0, 0, 0, 0.0, 0.0, 0]
        priced = row["credits"] is not None
        sums[0] += 1
        sums[1] += (row["status"] or 0) >= 400
        sums[2] += row["input_tokens"]
        sums[3] += row["cached_tokens"]
        sums[4] += row["output_tokens"]
        if priced:
            sums[5] += row["credits"]
            sums[6] += row["usd"]
        else:
            sums[7] += 1
    totals: dict[tuple[str, str, datetime, str], list[Any]] = {}
    for (hour, *values), sums in hourly.items():
        found = dict(zip(columns, values, strict=True))
        by_dimension = {
            dimension: NO_VALUE if column is None else found[column]
            for dimension, column in DIMENSIONS.items()
        }
        for span in SPANS:
            start = hour if span == "hour" else start_of(hour, "day")
            for dimension, value in by_dimension.items():
                total = totals.setdefault((span, dimension, start, value), [0] * len(SUMS))
                for index, amount in enumerate(sums):
                    total[index] += amount
    # In one order everywhere: two processes upserting the same rows lock them alike, so
    # their transactions wait for each other instead of deadlocking.
    return [
        {"span": span, "dimension": dimension, "start": start, "value": value}
        | dict(zip(SUMS, totals[(span, dimension, start, value)], strict=True))
        for span, dimension, start, value in sorted(totals)
    ]


async def add(connection: Any, rows: list[Row]) -> None:
    """A batch's rows added to the rollup, on the batch's own connection (its transaction)."""
    dialect = connection.dialect.name
    statement = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(ROLLUP)
    statement = statement.on_conflict_do_update(
        index_elements=["span", "dimension", "start", "value"],
        set_={name: ROLLUP.c[name] + statement.excluded[name] for name in SUMS},
    )
    await connection.execute(statement, summed(rows))


def backfill(connection: Connection) -> None:
    """The rollup of every ledger row already written (the migration that adds it)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SET LOCAL TIME ZONE 'UTC'"))  # date_trunc's days and hours
    for span in SPANS:
        if dialect == "sqlite":
            pattern = "%Y-%m-%d %H:00:00.000000" if span == "hour" else "%Y-%m-%d 00:00:00.000000"
            start: ColumnElement[Any] = func.strftime(pattern, LEDGER.c.at)
        else:
            start = func.date_trunc(span, LEDGER.c.at)
        for dimension, column in DIMENSIONS.items():
            if column is None:
                value: ColumnElement[Any] = literal(NO_VALUE)
                keys = [start]
            else:
                value = func.coalesce(LEDGER.c[column], NO_VALUE)
                keys = [start, value]
            grouped = select(
                literal(span), literal(dimension), start, value, *sums_of_ledger()
            ).group_by(*keys)
            names = ["span", "dimension", "start", "value", *SUMS]
            connection.execute(ROLLUP.insert().from_select(names, grouped))
