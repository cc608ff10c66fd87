"""The ledger's recent rows as the dashboard lists them, on SQLite and PostgreSQL: each
filter's page equal to the same filter applied here to every request, newest first, paged
by `before` (the rollup's hours narrowing the walk must lose no row); the per-minute counts
and the latency percentiles."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from test_reports import records, written

from copilot_gateway.observability.record import RequestRecord
from copilot_gateway.settings import Settings
from copilot_gateway.state.database import engine_for
from copilot_gateway.state.ledger import database_url, recent
from databases import KINDS, Database, database_of

T = TypeVar("T")
FILTERS = [
    recent.Filters(),
    recent.Filters(key="alice"),
    recent.Filters(model="gpt-4.1"),
    recent.Filters(client="codex"),
    recent.Filters(status="errors"),
    recent.Filters(status="502"),
    recent.Filters(status="200", model="claude-sonnet-4"),
    recent.Filters(model="gpt-4.1", client="claude-code", status="429"),
    recent.Filters(model="no-such-model"),
]


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


def reading(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    async def read() -> T:
        engine = engine_for(database_url(settings))
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def kept(record: RequestRecord, filters: recent.Filters) -> bool:
    status = record.status or 0
    return (
        (not filters.key or record.key_name == filters.key)
        and (not filters.model or record.model == filters.model)
        and (not filters.client or record.client == filters.client)
        and (
            not filters.status
            or (status >= 400 if filters.status == "errors" else status == int(filters.status))
        )
    )


@pytest.mark.parametrize("rows_read", [recent.ROWS_READ_PER_PAGE, 3])
def test_each_filter_lists_its_rows_newest_first_page_after_page(
    database: Database, tmp_path: Path, rows_read: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With few rows read a page, a filtered page ends before it is full: the next one
    # goes on from the oldest hour it read, and no row is lost or listed twice.
    monkeypatch.setattr(recent, "ROWS_READ_PER_PAGE", rows_read)
    made = records()
    settings = written(database, tmp_path, made)

    async def every_page(engine: Any, filters: recent.Filters) -> list[str]:
        listed: list[str] = []
        after = None
        while True:
            listing = await recent.newest(engine, filters, after)
            assert len(listing.rows) <= recent.PAGE_ROWS
            listed += [row["request_id"] for row in listing.rows]
            times = [row["at"] for row in listing.rows]
            assert times == sorted(times, reverse=True)
            if listing.resume is None:
                return listed
            after = listing.resume

    for filters in FILTERS:
        wanted = {record.request_id for record in made if kept(record, filters)}
        listed = reading(settings, lambda engine, f=filters: every_page(engine, f))  # type: ignore[misc]
        assert len(listed) == len(set(listed)) and set(listed) == wanted, filters
    assert wanted == set()  # the last filter's model is none of them: found without a walk


def test_the_last_hour_counts_by_minute_and_its_latencies(
    database: Database, tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(second=30, microsecond=0)
    made = []
    for ago, status in ((0, 200), (0, 500), (3, 200), (90, 200)):
        at = (now - timedelta(minutes=ago)).timestamp()
        record = RequestRecord("POST", "/v1/chat/completions", at=at)
        record.status = status
        made.append(record)
    settings = written(database, tmp_path, made)
    hour_ago = now - timedelta(hours=1)
    counts = reading(
        settings, lambda engine: recent.per_minute(engine, hour_ago, now + timedelta(minutes=1))
    )
    minutes = recent.last_minutes(now, 60)
    assert counts[minutes[-1]] == (2, 1) and counts[minutes[-4]] == (1, 0)
    assert set(counts) <= set(minutes) and len(counts) == 2
    latencies = reading(
        settings, lambda engine: recent.latencies(engine, hour_ago, now + timedelta(minutes=1))
    )
    assert len(latencies) == 3 and latencies == sorted(latencies)
    assert recent.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert recent.percentile([1.0, 2.0, 3.0, 4.0], 0.99) == 4.0
    assert recent.percentile([], 0.5) is None
