"""The ledger over HTTP, on SQLite and on a real PostgreSQL: one row per request (its key,
model asked and served, how it was served, tokens and credits, the client's family), old
rows purged, rows kept while the database is down and written when it is back (dropped and
counted past the bound), and what is buffered written at shutdown."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError

from conftest import API_KEY, AUTH
from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.observability.record import RequestRecord
from copilot_gateway.settings import Settings
from copilot_gateway.state.database import StateDatabase
from copilot_gateway.state.ledger import Ledger, database_url
from databases import KINDS, Database, database_of, postgres_database
from metrics_scrape import scrape, value
from postgres_server import PostgresServer
from servers import gateway_settings, running, serving, until

ids = itertools.count()
USER = {"role": "user", "content": "what does this cost?"}
DROPPED = "gateway_ledger_rows_dropped_total"
BUFFERED = "gateway_ledger_rows_buffered"


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


@pytest.fixture
def emulator() -> CopilotEmulator:
    return CopilotEmulator()  # its own: what it billed is this test's alone


@pytest.fixture
def emulator_url(emulator: CopilotEmulator) -> Iterator[str]:
    with running(emulator.app) as url:
        yield url


def settings_for(emulator_url: str, database: Database, **overrides: Any) -> Settings:
    # Written within a few milliseconds: the tests wait on rows, not on a clock.
    return gateway_settings(
        emulator_url, **{"ledger_flush_seconds": 0.02, **database.settings, **overrides}
    )


def post(url: str, path: str, body: dict[str, Any]) -> httpx.Response:
    request_id = f"ledger-{next(ids)}"
    headers = {**AUTH, "X-Request-Id": request_id, "User-Agent": "curl/8.5.0"}
    response = httpx.post(f"{url}{path}", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response


def billed(emulator: CopilotEmulator) -> float:
    return sum(account.credits.used for account in emulator.state.quotas.values())


def test_each_request_is_one_row_saying_who_what_how_and_what_it_cost(
    emulator: CopilotEmulator, emulator_url: str, database: Database
) -> None:
    with serving(settings_for(emulator_url, database)) as url:
        # Chat, native, from the OpenAI SDK.
        with openai.OpenAI(base_url=f"{url}/v1", api_key=API_KEY, max_retries=0) as sdk:
            sdk.chat.completions.create(
                model="claude-sonnet-4",
                messages=[USER],  # type: ignore[list-item]
                extra_headers={"X-Request-Id": "chat"},
            )
        after_chat = billed(emulator)
        # Responses, native, from Codex.
        codex = {**AUTH, "X-Request-Id": "responses", "User-Agent": "codex_cli_rs/0.50.0"}
        response = httpx.post(
            f"{url}/v1/responses",
            json={"model": "gpt-5.4", "input": "what does this cost?", "store": False},
            headers=codex,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        # Messages, native, from the Anthropic SDK, the model asked by a name it resolves.
        with anthropic.Anthropic(base_url=url, api_key=API_KEY, max_retries=0) as claude:
            claude.messages.create(
                model="claude-sonnet-4-6",
                max_tokens=64,
                messages=[USER],  # type: ignore[list-item]
                extra_headers={"X-Request-Id": "messages"},
            )
        # Messages translated to chat, streamed, by curl.
        curl = {**AUTH, "X-Request-Id": "translated", "User-Agent": "curl/8.5.0"}
        body = {"model": "gemini-2.5-pro", "max_tokens": 64, "messages": [USER], "stream": True}
        assert httpx.post(f"{url}/v1/messages", json=body, headers=curl).status_code == 200
        # A model that does not exist: a row all the same.
        unknown = {**AUTH, "X-Request-Id": "unknown"}
        body = {"model": "no-such-model", "messages": [USER]}
        assert (
            httpx.post(f"{url}/v1/chat/completions", json=body, headers=unknown).status_code == 404
        )

        assert until(lambda: database.count() == 5)
    rows = {row["request_id"]: row for row in database.ledger()}
    assert set(rows) == {"chat", "responses", "messages", "translated", "unknown"}

    chat = rows["chat"]
    assert chat["surface"] == "openai" and chat["operation"] == "createChatCompletion"
    assert (chat["model_asked"], chat["model_served"]) == ("claude-sonnet-4", "claude-sonnet-4")
    assert chat["translated"] is False and chat["client"] == "openai-python"
    assert chat["key_name"] == "key-1" and chat["account"] == "default"
    assert chat["status"] == 200 and chat["error_code"] is None
    assert chat["input_tokens"] > 0 and chat["output_tokens"] > 0
    assert chat["credits"] == pytest.approx(after_chat) and chat["credits"] > 0
    assert chat["usd"] == pytest.approx(chat["credits"] / 100)
    assert chat["nano_aiu"] == round(chat["credits"] * 1e9)

    assert rows["responses"]["client"] == "codex"
    assert rows["responses"]["translated"] is False
    assert rows["responses"]["operation"] == "createResponse"

    messages = rows["messages"]
    assert messages["surface"] == "anthropic" and messages["client"] == "anthropic-python"
    assert (messages["model_asked"], messages["model_served"]) == (
        "claude-sonnet-4-6",
        "claude-sonnet-4.6",
    )
    assert messages["translated"] is False

    translated = rows["translated"]
    assert translated["translated"] is True and translated["client"] == "curl"
    assert translated["output_tokens"] > 0

    unknown_row = rows["unknown"]
    assert unknown_row["status"] == 404 and unknown_row["error_code"] == "model_not_found"
    assert unknown_row["model_asked"] == "no-such-model" and unknown_row["model_served"] is None
    assert unknown_row["credits"] is None

    assert sum(row["credits"] or 0 for row in rows.values()) == pytest.approx(billed(emulator))
    for row in rows.values():
        assert row["latency_ms"] > 0
        assert abs(as_utc(row["at"]) - datetime.now(UTC)) < timedelta(minutes=5)
        assert API_KEY not in repr(row)  # the key's name, never the key


def as_utc(at: datetime) -> datetime:
    """SQLite hands back a naive time (the ledger writes UTC), PostgreSQL an aware one."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def record_at(at: datetime, request_id: str) -> RequestRecord:
    return RequestRecord("POST", "/v1/chat/completions", at=at.timestamp(), request_id=request_id)


def test_rows_past_the_retention_are_deleted(database: Database, tmp_path: Path) -> None:
    settings = Settings(**database.settings, responses_db=tmp_path / "responses.sqlite3")

    def ledger(retention_days: float) -> Ledger:
        return Ledger(
            StateDatabase(database_url(settings)),
            retention_days=retention_days,
            buffer_rows=10,
            batch_rows=10,
            flush_seconds=3600,
        )

    async def write_old_and_new() -> None:
        keeping_all = ledger(0)
        await keeping_all.start()
        now = datetime.now(UTC)
        keeping_all.note(record_at(now - timedelta(days=40), "old"))
        keeping_all.note(record_at(now - timedelta(days=20), "recent"))
        await keeping_all.aclose()
        await keeping_all.database.aclose()

    asyncio.run(write_old_and_new())
    assert [row["request_id"] for row in database.ledger()] == ["old", "recent"]

    async def start_with_a_retention() -> None:
        keeping_30_days = ledger(30)
        await keeping_30_days.start()
        await keeping_30_days.aclose()
        await keeping_30_days.database.aclose()

    asyncio.run(start_with_a_retention())
    assert [row["request_id"] for row in database.ledger()] == ["recent"]


def test_what_is_buffered_is_written_at_shutdown(emulator_url: str, database: Database) -> None:
    # Nothing is written on the writer's own time in this test: only shutdown writes.
    settings = settings_for(emulator_url, database, ledger_flush_seconds=3600)
    body = {"model": "gpt-4.1", "messages": [USER]}
    with serving(settings) as url:
        for _ in range(3):
            post(url, "/v1/chat/completions", body)
        assert database.count() == 0  # the schema is there (migrated at start-up), no row
    assert database.count() == 3


def dropped(url: str) -> float:
    return value(scrape(url), DROPPED)


def test_rows_wait_while_the_database_is_down_and_are_written_when_it_is_back(
    emulator_url: str, postgres: PostgresServer
) -> None:
    with postgres_database(postgres) as database:
        rows_wait_and_are_written_when_it_is_back(emulator_url, postgres, database)


def rows_wait_and_are_written_when_it_is_back(
    emulator_url: str, postgres: PostgresServer, database: Database
) -> None:
    settings = settings_for(emulator_url, database, ledger_buffer_rows=3)
    body = {"model": "gpt-4.1", "messages": [USER]}
    with serving(settings) as url:
        post(url, "/v1/chat/completions", body)
        assert until(lambda: database.count() == 1)
        postgres.stop()
        try:
            before = dropped(url)
            # Answered as ever: the ledger is off the request's path.
            sent = [post(url, "/v1/chat/completions", body) for _ in range(5)]
            # Three wait in the buffer, the two past its bound are dropped and counted.
            assert until(lambda: dropped(url) - before == 2)
            assert value(scrape(url), BUFFERED) == 3
        finally:
            postgres.start()
        assert until(lambda: database.count() == 4)
        assert dropped(url) - before == 2
        assert value(scrape(url), BUFFERED) == 0
    kept = [response.request.headers["X-Request-Id"] for response in sent[:3]]
    assert [row["request_id"] for row in database.ledger()][1:] == kept


def test_the_ledger_file_is_beside_the_responses_store_by_default(tmp_path: Path) -> None:
    settings = Settings(responses_db=tmp_path / "state" / "responses.sqlite3")
    assert settings.ledger_file == tmp_path / "state" / "ledger.sqlite3"
    assert database_url(settings) == f"sqlite+aiosqlite:///{tmp_path}/state/ledger.sqlite3"


def test_a_postgresql_url_is_driven_by_psycopg() -> None:
    settings = Settings(database_url="postgres://gateway:pw@db.internal/ledger?sslmode=require")
    expected = "postgresql+psycopg://gateway:pw@db.internal/ledger?sslmode=require"
    assert database_url(settings) == expected


def test_a_database_url_of_another_kind_is_refused_without_repeating_it() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(database_url="mysql://gateway:hunter2@db.internal/ledger")
    assert "must start with one of postgresql://" in str(refused.value)
    assert "hunter2" not in refused.value.errors()[0]["msg"]


def test_rows_the_database_cannot_take_at_shutdown_are_counted_as_dropped(
    emulator_url: str, postgres: PostgresServer
) -> None:
    with postgres_database(postgres) as database:
        settings = settings_for(emulator_url, database, ledger_flush_seconds=3600)
        body = {"model": "gpt-4.1", "messages": [USER]}
        before = REGISTRY.get_sample_value(DROPPED) or 0
        try:
            with serving(settings) as url:  # the schema migrated at start-up
                postgres.stop()
                for _ in range(2):
                    post(url, "/v1/chat/completions", body)
            # Shut down with the database away: what was buffered is lost, and counted.
            assert (REGISTRY.get_sample_value(DROPPED) or 0) - before == 2
        finally:
            postgres.start()
        assert database.count() == 0
