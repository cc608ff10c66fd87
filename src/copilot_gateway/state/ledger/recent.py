"""The ledger's recent rows, as the dashboard shows them: requests and errors per minute and
latency percentiles over the last hour, and the rows themselves newest first (filtered by
key, model, status or client), each read through the `ledger_at` or `ledger_key_at` index so
a page costs the same over a million rows as over a thousand. Sums over longer spans are
the reports' (`reports`, through the rollup)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from .table import LEDGER

PAGE_ROWS = 50
# The columns a listing shows; one request's page shows every column (no bodies: the
# ledger keeps none).
LISTED = (
    "id",
    "at",
    "key_name",
    "model_served",
    "model_asked",
    "surface",
    "status",
    "error_code",
    "input_tokens",
    "output_tokens",
    "credits",
    "latency_ms",
    "client",
)


@dataclass(frozen=True)
class Filters:
    """What a listing keeps: each given field equal (`model`: asked or served); `status`
    a code, or "errors" for every status >= 400."""

    key: str | None = None
    model: str | None = None
    status: str | None = None
    client: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        ledger = LEDGER.c
        found: list[ColumnElement[bool]] = []
        if self.key:
            found.append(ledger.key_name == self.key)
        if self.model:
            found.append((ledger.model_served == self.model) | (ledger.model_asked == self.model))
        if self.status == "errors":
            found.append(ledger.status >= 400)
        elif self.status:
            found.append(ledger.status == int(self.status))
        if self.client:
            found.append(ledger.client == self.client)
        return found


def minute_of(column: Any, dialect: str) -> ColumnElement[str]:
    """The UTC minute of a time column as text ("2026-12-02T10:07"), sorting as time does."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%dT%H:%M", column)
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI')


async def per_minute(engine: AsyncEngine, since: datetime) -> dict[str, tuple[int, int]]:
    """Requests and errors (status >= 400) in each UTC minute from `since` on, by minute."""
    async with engine.connect() as connection:
        minute = minute_of(LEDGER.c.at, connection.dialect.name)
        errors = func.sum(case((LEDGER.c.status >= 400, 1), else_=0))
        query = (
            select(minute.label("minute"), func.count(), errors)
            .where(LEDGER.c.at >= since)
            .group_by(minute)
        )
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in await connection.execute(query)}


async def latencies(engine: AsyncEngine, since: datetime) -> list[float]:
    """Every request's latency (ms) from `since` on, in order (for percentiles)."""
    async with engine.connect() as connection:
        query = select(LEDGER.c.latency_ms).where(LEDGER.c.at >= since)
        return sorted(float(row[0]) for row in await connection.execute(query))


def percentile(ordered: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of sorted values; None for none."""
    if not ordered:
        return None
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


async def newest(
    engine: AsyncEngine, filters: Filters, before: datetime | None = None
) -> list[dict[str, Any]]:
    """A page of rows kept by `filters`, newest first, older than `before` if given."""
    conditions = filters.conditions()
    if before is not None:
        conditions.append(LEDGER.c.at < before)
    query = (
        select(*(LEDGER.c[name] for name in LISTED))
        .where(*conditions)
        .order_by(LEDGER.c.at.desc())
        .limit(PAGE_ROWS)
    )
    async with engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(query)]


async def one(engine: AsyncEngine, row_id: int) -> dict[str, Any] | None:
    """One row, every column; None if there is none of that id."""
    async with engine.connect() as connection:
        result = await connection.execute(select(LEDGER).where(LEDGER.c.id == row_id))
        row = result.first()
        return None if row is None else dict(row._mapping)


def last_minutes(now: datetime, count: int) -> list[str]:
    """The labels of the `count` UTC minutes up to `now`'s, oldest first (as `minute_of`)."""
    start = now.replace(second=0, microsecond=0)
    return [(start - timedelta(minutes=ago)).strftime("%Y-%m-%dT%H:%M") for ago in range(count)][
        ::-1
    ]
