"""Usage reports from the ledger: requests, errors, tokens and cost summed by key, model
served, account, client, UTC hour or UTC day, over a time range (`since` inclusive, `until`
exclusive), in one query on SQLite and PostgreSQL alike.

The range is cut into what the rollup (`rollup`) answers and what only the ledger can:

    since ─┬─ part of an hour: ledger rows
           ├─ whole hours of a partial day: the hourly rollup
           ├─ whole days: the daily rollup (not when grouping by hour)
           ├─ whole hours: the hourly rollup
    until ─┴─ part of an hour: ledger rows

and the parts, one `UNION ALL`, are summed by the group's value. The rollup is written in
the ledger's own transactions, so the parts never count a row twice or miss one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from .rollup import DIMENSIONS, NO_VALUE, ROLLUP, SUMS, bucket, start_of, sums_of_ledger
from .table import LEDGER

GROUPS = ("key", "model", "account", "client", "hour", "day")
TIMES = ("hour", "day")  # grouped by time: newest first; else largest spend first
COUNTS = ("requests", "errors", "input_tokens", "cached_tokens", "output_tokens", "unpriced")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DECIMALS = 9  # sums of floats, cut before they show 0.30000000000000004

Range = tuple[datetime | None, datetime | None]  # None: unbounded on that side


async def usage_report(
    engine: AsyncEngine,
    group_by: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """One row per value of `group_by` (a key's name, a model served, ..., an ISO hour or
    day): `requests`, `errors` (status >= 400), `input_tokens`, `cached_tokens`,
    `output_tokens`, `credits`, `usd` (unknown costs as 0) and `unpriced` (how many rows had
    no known cost). Times without a zone are taken as UTC. Raises ValueError for a
    `group_by` not in GROUPS."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}, not {group_by!r}")
    since, until = _utc(since), _utc(until)
    if since is not None and until is not None and since >= until:
        return []
    async with engine.connect() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            # Each part reads a few thousand rows: starting parallel workers costs more
            # than it saves (measured: 100 ms of a 112 ms report on a busy machine).
            await connection.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        result = await connection.execute(report_query(group_by, since, until, dialect))
        return [_row(group_by, row._mapping) for row in result]


def moment_of(text: str) -> datetime:
    """A report's bound as people write it, an ISO date or time (`2026-12-01`,
    `2026-12-01T10:00Z`); without a zone, UTC. Raises ValueError saying what was wrong."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"not an ISO date or time: {text!r} (e.g. 2026-12-01 or 2026-12-01T10:00Z)"
        ) from None
    return _as_utc(at)


def report_query(
    group_by: str, since: datetime | None, until: datetime | None, dialect: str
) -> Select[Any]:
    """The report's one statement, for this dialect."""
    days, rest = (None, [(since, until)]) if group_by == "hour" else _split((since, until), "day")
    hours, raw = [], []
    for interval in rest:
        whole, edges = _split(interval, "hour")
        hours += [whole] if whole else []
        raw += edges
    parts = [_rolled(group_by, "day", days, dialect)] if days else []
    parts += [_rolled(group_by, "hour", whole, dialect) for whole in hours]
    parts += [_from_ledger(group_by, edge, dialect) for edge in raw]
    union = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    group = union.c.group
    totals = [func.sum(union.c[name]).label(name) for name in SUMS]
    order = [group.desc()] if group_by in TIMES else [totals[5].desc(), totals[0].desc(), group]
    return select(group, *totals).group_by(group).order_by(*order)


def _rolled(group_by: str, span: str, within: Range, dialect: str) -> Select[Any]:
    """The rollup's rows of this span inside the range, with the group's value."""
    if group_by in TIMES:
        dimension, group = "all", bucket(ROLLUP.c.start, group_by, dialect)
    else:
        dimension, group = group_by, ROLLUP.c.value
    conditions = [ROLLUP.c.span == span, ROLLUP.c.dimension == dimension]
    conditions += _inside(ROLLUP.c.start, within)
    columns = [ROLLUP.c[name] for name in SUMS]
    return select(group.label("group"), *columns).where(and_(*conditions))


def _from_ledger(group_by: str, within: Range, dialect: str) -> Select[Any]:
    """The ledger's own rows inside a range shorter than an hour, summed by the group."""
    if group_by in TIMES:
        group: ColumnElement[Any] = bucket(LEDGER.c.at, group_by, dialect)
    else:
        column = DIMENSIONS[group_by]
        assert column is not None
        group = func.coalesce(LEDGER.c[column], NO_VALUE)
    conditions = _inside(LEDGER.c.at, within)
    return select(group.label("group"), *sums_of_ledger()).where(*conditions).group_by(group)


def _inside(column: Any, within: Range) -> list[ColumnElement[bool]]:
    since, until = within
    return [
        *([column >= since] if since is not None else []),
        *([column < until] if until is not None else []),
    ]


def _split(within: Range, span: str) -> tuple[Range | None, list[Range]]:
    """The whole hours or days inside a range, and the parts of one at either end."""
    since, until = within
    inner_since = since if since is None else _ceil(since, span)
    inner_until = until if until is None else start_of(until, span)
    if inner_since is not None and inner_until is not None and inner_since >= inner_until:
        return None, [within]
    edges: list[Range] = []
    if since != inner_since:
        edges.append((since, inner_since))
    if until != inner_until:
        edges.append((inner_until, until))
    return (inner_since, inner_until), edges


def _ceil(at: datetime, span: str) -> datetime:
    start = start_of(at, span)
    if start == at:
        return at
    return start + (timedelta(hours=1) if span == "hour" else timedelta(days=1))


def _utc(at: datetime | None) -> datetime | None:
    return None if at is None else _as_utc(at)


def _as_utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _row(group_by: str, values: Any) -> dict[str, Any]:
    group = values["group"]
    row: dict[str, Any] = {group_by: None if group == NO_VALUE else group}
    for name in SUMS:
        total = values[name] or 0  # PostgreSQL sums BIGINT as NUMERIC: made plain here
        row[name] = int(total) if name in COUNTS else round(float(total), DECIMALS)
    return row


def usage_csv(rows: Sequence[dict[str, Any]], group_by: str | None = None) -> str:
    """The report as CSV: a header line, then a line per row (`group_by` names the first
    column when there are no rows to read it from). A text cell a spreadsheet would take
    for a formula is made text (see `inert_cell`)."""
    names = list(rows[0]) if rows else [group_by or "group", *SUMS]
    out = io.StringIO()
    # RFC 4180's line end: the writer then quotes a cell holding a lone CR, which a reader
    # would take for the end of a line.
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({name: inert_cell(value) for name, value in row.items()} for row in rows)
    return out.getvalue()


def inert_cell(value: Any) -> Any:
    """A text cell starting as a formula would (`=`, `+`, `-`, `@`, a tab, a carriage
    return) behind a `'`, as OWASP advises against CSV injection; numbers are left alone
    (a key's name is the operator's or a config file's text, the report's numbers ours)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
