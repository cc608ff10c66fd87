"""The ledger's recent rows, as the dashboard shows them: requests and errors per minute and
latency percentiles over the last hour, and the rows themselves newest first (filtered by
key, model served, status or client), so that a page costs the same over a million rows as
over a thousand. Sums over longer spans are the reports' (`reports`, through the rollup).

The unfiltered listing and the key's walk an index (`ledger_at`, `ledger_key_at`) newest
first. A filter no index serves would walk the whole ledger to find a rare value (or none);
the rollup says which hours hold any of its rows (errors, for a status of 400 or more), so
only those hours are read, newest first, until a page is full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from .rollup import ROLLUP
from .table import LEDGER

PAGE_ROWS = 50
SPANS_PER_READ = 24  # spans of hours the rollup named, read in one query
HOURS_LOOKED_AT = 24 * 400  # the newest hours of a filter's value the rollup is asked for
ROWS_READ_PER_PAGE = 5_000  # ledger rows a filtered page reads at most (then: Older)
# The columns a listing shows; one request's page shows every column (no bodies: the
# ledger keeps none).
LISTED = (
    "id",
    "at",
    "request_id",
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
    """What a listing keeps: each given field equal (`model`: the model served); `status`
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
            found.append(ledger.model_served == self.model)
        if self.status == "errors":
            found.append(ledger.status >= 400)
        elif self.status:
            found.append(ledger.status == int(self.status))
        if self.client:
            found.append(ledger.client == self.client)
        return found

    def rolled_up(self) -> list[tuple[str, str]]:
        """The rollup's dimensions (and values) whose hours hold this filter's rows."""
        return [
            (name, value)
            for name, value in (("model", self.model), ("client", self.client))
            if value
        ]

    @property
    def errors_only(self) -> bool:
        return self.status == "errors" or bool(self.status and int(self.status) >= 400)


def minute_of(column: Any, dialect: str) -> ColumnElement[str]:
    """The UTC minute of a time column as text ("2026-12-02T10:07"), sorting as time does."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%dT%H:%M", column)
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI')


async def per_minute(
    engine: AsyncEngine, since: datetime, until: datetime
) -> dict[str, tuple[int, int]]:
    """Requests and errors (status >= 400) in each UTC minute from `since` to `until`."""
    async with engine.connect() as connection:
        minute = minute_of(LEDGER.c.at, connection.dialect.name)
        errors = func.sum(case((LEDGER.c.status >= 400, 1), else_=0))
        query = (
            select(minute.label("minute"), func.count(), errors)
            .where(LEDGER.c.at >= since, LEDGER.c.at < until)
            .group_by(minute)
        )
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in await connection.execute(query)}


async def latencies(engine: AsyncEngine, since: datetime, until: datetime) -> list[float]:
    """Every request's latency (ms) from `since` to `until`, in order (for percentiles)."""
    async with engine.connect() as connection:
        query = select(LEDGER.c.latency_ms).where(LEDGER.c.at >= since, LEDGER.c.at < until)
        return sorted(float(row[0]) for row in await connection.execute(query))


def percentile(ordered: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of sorted values; None for none."""
    if not ordered:
        return None
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


Place = tuple[datetime, int]  # a row's time and id: where a page ends and the next begins


@dataclass(frozen=True)
class Listing:
    rows: list[dict[str, Any]]
    # Where the next page starts: after its last row, or (when a filter's walk used up the
    # page's rows to read before it filled the page) before the oldest hour it read.
    resume: Place | None


async def newest(engine: AsyncEngine, filters: Filters, after: Place | None = None) -> Listing:
    """A page of rows kept by `filters`, newest first (by time, then id); those listed
    after the row at `after` (the last of the page before) if given."""
    conditions = filters.conditions()
    before = None
    if after is not None:
        before, row_id = after
        at = LEDGER.c.at
        conditions.append((at < before) | ((at == before) & (LEDGER.c.id < row_id)))
    listing = select(*(LEDGER.c[name] for name in LISTED))
    listing = listing.order_by(LEDGER.c.at.desc(), LEDGER.c.id.desc())
    async with engine.connect() as connection:
        if not filters.rolled_up() and not filters.errors_only:
            result = await connection.execute(listing.where(*conditions).limit(PAGE_ROWS))
            return _listed([dict(row._mapping) for row in result], None)
        hours, cut = await _hours_to_read(connection, filters, after)
        spans = _spans(hours)
        found: list[dict[str, Any]] = []
        for first in range(0, len(spans), SPANS_PER_READ):
            # Each span walked on the time index newest first, stopping once it has a
            # page's worth: a span of many busy hours costs no more than one.
            wanted = PAGE_ROWS - len(found)
            parts = [
                listing.where(*conditions, LEDGER.c.at >= since, LEDGER.c.at < until)
                .limit(wanted)
                .subquery()
                .select()
                for since, until in spans[first : first + SPANS_PER_READ]
            ]
            union = union_all(*parts).subquery()
            query = select(union).order_by(union.c.at.desc(), union.c.id.desc()).limit(wanted)
            found += [dict(row._mapping) for row in await connection.execute(query)]
            if len(found) == PAGE_ROWS:
                break
        return _listed(found, (_utc(hours[-1]), 0) if cut else None)


def _listed(rows: list[dict[str, Any]], cut: Place | None) -> Listing:
    if len(rows) == PAGE_ROWS:
        return Listing(rows, (_utc(rows[-1]["at"]), rows[-1]["id"]))
    return Listing(rows, cut)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite's are UTC without the zone


def _spans(hours: list[datetime]) -> list[tuple[datetime, datetime]]:
    """Hours (newest first) as the spans of consecutive ones they make, newest first."""
    spans: list[tuple[datetime, datetime]] = []
    for hour in hours:
        end = hour + timedelta(hours=1)
        if spans and spans[-1][0] == end:
            spans[-1] = (hour, spans[-1][1])
        else:
            spans.append((hour, end))
    return spans


async def _hours_to_read(
    connection: Any, filters: Filters, after: Place | None
) -> tuple[list[datetime], bool]:
    """The newest hours (their starts, newest first) the rollup says may hold the filters'
    rows, as many as a page reads (`ROWS_READ_PER_PAGE`, by the rollup's counts); and
    whether older ones were left for the next page."""
    rollup = ROLLUP.c

    def newest_hours(*conditions: ColumnElement[bool]) -> Any:
        query = select(rollup.start, rollup.requests, rollup.errors)
        query = query.where(rollup.span == "hour", *conditions)
        if after is not None:
            # The hour starting at the place holds rows before it only at that very
            # instant, with a smaller id (none when the place is an hour's start, id 0).
            before, row_id = after
            query = query.where(
                (rollup.start < before) if row_id <= 0 else (rollup.start <= before)
            )
        return query.order_by(rollup.start.desc()).limit(HOURS_LOOKED_AT)

    every = {
        row.start: row for row in await connection.execute(newest_hours(rollup.dimension == "all"))
    }
    held = {start for start, row in every.items() if row.errors or not filters.errors_only}
    for dimension, value in filters.rolled_up():
        query = newest_hours(rollup.dimension == dimension, rollup.value == value)
        held &= {row.start for row in await connection.execute(query)}
    chosen: list[datetime] = []
    budget = ROWS_READ_PER_PAGE
    for start in sorted(held, reverse=True):
        if chosen and budget <= 0:
            return chosen, True
        chosen.append(start)
        budget -= every[start].requests
    return chosen, False


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
