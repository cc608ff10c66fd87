"""Usage reports from the ledger, on SQLite and on a real PostgreSQL: rows written by the
ledger's own writer (so its rollup too), and each report checked against the same rows
summed here, over ranges that cut hours and days, and none."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import insert

from commands import COMMAND, clean_env
from copilot_gateway.observability.record import RequestRecord
from copilot_gateway.settings import Settings
from copilot_gateway.state.database import MIGRATIONS, StateDatabase, engine_for, migrate
from copilot_gateway.state.ledger import Ledger, database_url
from copilot_gateway.state.ledger.reports import GROUPS, usage_csv, usage_report
from copilot_gateway.state.ledger.rows import row_of
from copilot_gateway.state.ledger.table import LEDGER
from databases import KINDS, Database, database_of

START = datetime(2026, 11, 28, 21, 30, tzinfo=UTC)  # three days and a half, from here
KEYS = ["alice", "bob", None]
MODELS = ["gpt-4.1", "claude-sonnet-4"]


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


def records() -> list[RequestRecord]:
    """A few hundred requests over three and a half days: keys, models, errors, unknown
    costs, a request on the very first instant of an hour and of a day."""
    chosen = random.Random(23)
    made = []
    for number in range(300):
        at = START + timedelta(minutes=chosen.randrange(0, 84 * 60))
        if number == 0:
            at = datetime(2026, 11, 30, tzinfo=UTC)
        record = RequestRecord("POST", "/v1/chat/completions", at=at.timestamp())
        record.request_id = f"report-{number}"
        record.key_name = chosen.choice(KEYS)
        record.model = chosen.choice(MODELS)
        record.account = chosen.choice(["one", "two"])
        record.client = chosen.choice(["codex", "claude-code"])
        record.status = chosen.choice([200, 200, 200, 429, 502])
        record.prompt_tokens = chosen.randrange(1, 900)
        record.cached_tokens = chosen.randrange(0, record.prompt_tokens)
        record.completion_tokens = chosen.randrange(0, 300)
        if chosen.random() < 0.8:  # the rest: a cost nobody knows
            record.add_nano_aiu(chosen.randrange(0, 10**9))
        made.append(record)
    return made


def written(database: Database, tmp_path: Path, made: list[RequestRecord]) -> Settings:
    settings = Settings(**database.settings, responses_db=tmp_path / "responses.sqlite3")

    async def write() -> None:
        # Small batches: hours and days are summed across many of them.
        state = StateDatabase(database_url(settings))
        ledger = Ledger(
            state,
            retention_days=0,
            buffer_rows=1000,
            batch_rows=7,
            flush_seconds=3600,
        )
        await ledger.start()
        for record in made:
            ledger.note(record)
        await ledger.aclose()
        await state.aclose()

    asyncio.run(write())
    assert database.count() == len(made)
    return settings


def expected(
    made: list[RequestRecord], group_by: str, since: datetime | None, until: datetime | None
) -> dict[Any, dict[str, Any]]:
    """The report, summed here from the requests themselves."""
    totals: dict[Any, dict[str, Any]] = {}
    for record in made:
        at = datetime.fromtimestamp(record.at, UTC)
        if (since is not None and at < since) or (until is not None and at >= until):
            continue
        group = {
            "key": record.key_name,
            "model": record.model,
            "account": record.account,
            "client": record.client,
            "hour": at.strftime("%Y-%m-%dT%H:00:00Z"),
            "day": at.strftime("%Y-%m-%d"),
        }[group_by]
        total = totals.setdefault(
            group,
            dict.fromkeys(("requests", "errors", "input", "cached", "output", "unpriced"), 0)
            | {"credits": 0.0},
        )
        total["requests"] += 1
        total["errors"] += (record.status or 0) >= 400
        total["input"] += record.prompt_tokens
        total["cached"] += record.cached_tokens
        total["output"] += record.completion_tokens
        total["credits"] += record.credits() or 0.0
        total["unpriced"] += record.credits() is None
    return totals


def report(
    settings: Settings, group_by: str, since: datetime | None, until: datetime | None
) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        engine = engine_for(database_url(settings))
        try:
            return await usage_report(engine, group_by, since, until)
        finally:
            await engine.dispose()

    return asyncio.run(read())


RANGES: dict[str, tuple[datetime | None, datetime | None]] = {
    "everything": (None, None),
    "whole days": (datetime(2026, 11, 29, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    "cut hours and days": (
        datetime(2026, 11, 29, 5, 17, 3, tzinfo=UTC),
        datetime(2026, 12, 1, 2, 41, tzinfo=UTC),
    ),
    "within one hour": (
        datetime(2026, 11, 30, 10, 5, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 50, tzinfo=UTC),
    ),
    "from only": (datetime(2026, 11, 30, 13, 13, tzinfo=UTC), None),
    "to only": (None, datetime(2026, 11, 29, 23, 59, tzinfo=UTC)),
}


@pytest.mark.parametrize("interval", RANGES)
def test_each_report_sums_the_rows_of_its_range_by_its_group(
    database: Database, tmp_path: Path, interval: str
) -> None:
    made = records()
    settings = written(database, tmp_path, made)
    since, until = RANGES[interval]
    for group_by in GROUPS:
        rows = report(settings, group_by, since, until)
        want = expected(made, group_by, since, until)
        if group_by in ("hour", "day"):  # newest first
            assert [row[group_by] for row in rows] == sorted(want, reverse=True)
        else:  # largest spend first
            spent = [row["credits"] for row in rows]
            assert spent == sorted(spent, reverse=True), group_by
        assert {row[group_by] for row in rows} == set(want), group_by
        for row in rows:
            total = want[row[group_by]]
            assert (row["requests"], row["errors"], row["unpriced"]) == (
                total["requests"],
                total["errors"],
                total["unpriced"],
            )
            assert (row["input_tokens"], row["cached_tokens"], row["output_tokens"]) == (
                total["input"],
                total["cached"],
                total["output"],
            )
            assert row["credits"] == pytest.approx(total["credits"])
            assert row["usd"] == pytest.approx(total["credits"] / 100)


def test_a_range_that_ends_before_it_starts_is_empty(database: Database, tmp_path: Path) -> None:
    settings = written(database, tmp_path, records()[:10])
    later, earlier = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    assert report(settings, "key", later, earlier) == []


def test_times_without_a_zone_are_utc(database: Database, tmp_path: Path) -> None:
    made = records()
    settings = written(database, tmp_path, made)
    naive = (datetime(2026, 11, 29, 5), datetime(2026, 11, 30, 7))
    aware = tuple(at.replace(tzinfo=UTC) for at in naive)
    assert report(settings, "day", *naive) == report(settings, "day", *aware)


def test_a_group_not_offered_is_refused_with_the_choices() -> None:
    engine = engine_for("sqlite+aiosqlite:///:memory:")
    with pytest.raises(ValueError, match="key, model, account, client, hour, day"):
        asyncio.run(usage_report(engine, "surface"))


def test_the_csv_is_a_header_then_a_line_per_row() -> None:
    rows: list[dict[str, Any]] = [
        {"key": "alice", "requests": 3, "credits": 1.5},
        {"key": None, "requests": 1, "credits": 0.0},
    ]
    lines = list(csv.reader(io.StringIO(usage_csv(rows))))
    assert lines == [["key", "requests", "credits"], ["alice", "3", "1.5"], ["", "1", "0.0"]]
    assert usage_csv([], "model").splitlines()[0].startswith("model,requests,errors,")


def usage_command(database: Database, tmp_path: Path, *arguments: str) -> CompletedProcess[str]:
    """`copilot-gateway usage ...` as users run it, on this database."""
    where = {f"GATEWAY_{name.upper()}": str(value) for name, value in database.settings.items()}
    env = clean_env(GATEWAY_RESPONSES_DB=str(tmp_path / "responses.sqlite3"), **where)
    return subprocess.run(
        [*COMMAND, "usage", *arguments], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_usage_command_prints_the_report_as_csv_json_or_a_table(
    database: Database, tmp_path: Path
) -> None:
    made = records()
    settings = written(database, tmp_path, made)
    since, until = RANGES["cut hours and days"]
    assert since is not None and until is not None
    interval = ("--from", since.isoformat(), "--to", until.isoformat())

    as_csv = usage_command(database, tmp_path, "--by", "model", *interval, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    # Read as text, the command's CRLF line ends come as "\n".
    expected = usage_csv(report(settings, "model", since, until)).replace("\r\n", "\n")
    assert as_csv.stdout == expected

    as_json = usage_command(database, tmp_path, "--by", "day", "--format", "json")
    assert json.loads(as_json.stdout) == report(settings, "day", None, None)

    table = usage_command(database, tmp_path, "--by", "key").stdout.splitlines()
    assert table[0].split() == [
        *("key", "requests", "errors", "input", "cached", "output", "credits", "usd", "unpriced")
    ]
    by_key = report(settings, "key", None, None)
    assert [line.split()[0] for line in table[1:]] == [
        *(row["key"] or "-" for row in by_key),
        "total",
    ]
    assert table[-1].split()[1] == str(len(made))


def test_the_usage_command_refuses_a_time_it_cannot_read(
    database: Database, tmp_path: Path
) -> None:
    wrong = usage_command(database, tmp_path, "--by", "key", "--from", "last tuesday")
    assert wrong.returncode == 2
    assert "not an ISO date or time: 'last tuesday'" in wrong.stderr
    without_by = usage_command(database, tmp_path, "--from", "2026-12-01")
    assert without_by.returncode == 2
    assert "give --by" in without_by.stderr


def test_a_ledger_written_before_the_rollup_existed_is_rolled_up_by_the_migration(
    database: Database, tmp_path: Path
) -> None:
    made = records()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")  # the ledger alone, as the first release had it
        connection.execute(insert(LEDGER), [row_of(record) for record in made])
    settings = Settings(**database.settings, responses_db=tmp_path / "responses.sqlite3")

    async def migrated() -> None:
        engine = engine_for(database_url(settings))
        await migrate(engine)
        await engine.dispose()

    asyncio.run(migrated())
    since, until = RANGES["whole days"]
    for group_by in GROUPS:
        rows = report(settings, group_by, since, until)
        want = expected(made, group_by, since, until)
        assert {row[group_by]: row["requests"] for row in rows} == {
            group: total["requests"] for group, total in want.items()
        }
        assert sum(row["credits"] for row in rows) == pytest.approx(
            sum(total["credits"] for total in want.values())
        )
