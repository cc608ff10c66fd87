"""The admin API's usage report over HTTP, on SQLite and on PostgreSQL: what the ledger
holds summed by key or model, in a range, as JSON or CSV, equal to the report the CLI
prints; its bad bounds and groups refused with their `param`; its token checked."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from admin_api import ADMIN, admin_settings, bearer, create_key
from databases import KINDS, Database, database_of
from servers import serving, until

MODELS = ["gpt-4.1", "gpt-4.1", "claude-sonnet-4"]


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


@pytest.fixture
def served(emulator_url: str, database: Database) -> Iterator[str]:
    """A gateway whose ledger holds three calls by the key `reporter`."""
    with serving(admin_settings(emulator_url, database)) as url:
        secret = create_key(url, "reporter")
        for model in MODELS:
            body = {"model": model, "messages": [{"role": "user", "content": "tally"}]}
            response = httpx.post(
                f"{url}/v1/chat/completions", json=body, headers=bearer(secret), timeout=30
            )
            assert response.status_code == 200, response.text
        assert until(lambda: database.count() == len(MODELS)), "the ledger never wrote the calls"
        yield url


def usage(url: str, **query: str) -> httpx.Response:
    return httpx.get(f"{url}/admin/usage", params=query, headers=ADMIN)


def test_the_report_sums_the_ledger_by_key_and_by_model(served: str, database: Database) -> None:
    answer = usage(served)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["object"], report["group_by"], report["from"], report["to"]) == (
        "list",
        "key",
        None,
        None,
    )
    (row,) = report["data"]
    rows = database.ledger()
    assert row["key"] == "reporter" and row["requests"] == len(MODELS) and row["errors"] == 0
    assert row["input_tokens"] == sum(r["input_tokens"] for r in rows) > 0
    assert row["output_tokens"] == sum(r["output_tokens"] for r in rows) > 0
    assert row["credits"] == pytest.approx(sum(r["credits"] or 0 for r in rows))

    by_model = usage(served, group_by="model").json()["data"]
    served_models = Counter(r["model_served"] for r in rows)
    assert {r["model"]: r["requests"] for r in by_model} == dict(served_models)


def test_a_range_bounds_the_report(served: str) -> None:
    today = datetime.now(UTC).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    inside = usage(served, **{"from": today.isoformat(), "to": tomorrow}).json()
    assert inside["data"][0]["requests"] == len(MODELS)
    assert inside["from"] == f"{today.isoformat()}T00:00:00+00:00"
    before = usage(served, to=today.isoformat()).json()
    assert before["data"] == [] and before["from"] is None
    assert usage(served, **{"from": tomorrow}).json()["data"] == []


def test_the_csv_is_the_same_report(served: str) -> None:
    answer = usage(served, group_by="day", format="csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(answer.text)))
    assert row["day"] == datetime.now(UTC).date().isoformat()
    json_row = usage(served, group_by="day").json()["data"][0]
    assert int(row["requests"]) == json_row["requests"] == len(MODELS)
    assert float(row["credits"]) == pytest.approx(json_row["credits"])


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"group_by": "colour"}, "group_by"),
        ({"format": "xml"}, "format"),
    ],
)
def test_a_bad_bound_or_choice_is_a_400_naming_it(
    served: str, query: dict[str, str], param: str
) -> None:
    answer = usage(served, **query)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["param"] == param and error["type"] == "invalid_request_error"


def test_the_report_needs_the_admin_token(served: str) -> None:
    assert httpx.get(f"{served}/admin/usage").status_code == 401
    wrong = httpx.get(f"{served}/admin/usage", headers=bearer("not-the-admin-token"))
    assert wrong.status_code == 401 and "tally" not in wrong.text
