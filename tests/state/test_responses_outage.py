"""The state's database out of reach while responses are stored: each answer is served and
its response held in the process (continued and read from there), written once the
database answers again; what only the database could say is a 503, never a 500."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import httpx
from sqlalchemy import text

from databases import postgres_database
from postgres_server import PostgresServer
from servers import gateway_settings, serving, until

AUTH = {"Authorization": "Bearer sk-test-key"}


def create(url: str, **fields: object) -> httpx.Response:
    body = {"model": "gpt-5-mini", "input": "Plan a trip", **fields}
    return httpx.post(f"{url}/v1/responses", json=body, headers=AUTH, timeout=60)


def read(url: str, response_id: str) -> httpx.Response:
    return httpx.get(f"{url}/v1/responses/{response_id}", headers=AUTH, timeout=60)


def served_through_the_outage(url: str) -> tuple[str, str]:
    """A response stored and continued (streamed too) with the database out of reach; the
    ids of the two held."""
    first = create(url)
    assert first.status_code == 200, first.text
    held = first.json()["id"]
    assert read(url, held).json()["id"] == held
    with httpx.stream(
        "POST",
        f"{url}/v1/responses",
        json={"model": "gpt-5-mini", "input": "And?", "previous_response_id": held, "stream": True},
        headers=AUTH,
        timeout=60,
    ) as stream:
        events = [line for line in stream.iter_lines() if line.startswith("event: ")]
    assert events[-1] == "event: response.completed"
    unknown = read(url, "resp_never_stored")
    assert unknown.status_code == 503, unknown.text
    assert unknown.json()["error"]["code"] == "database_unavailable"
    return held, first.json()["id"]


def test_postgresql_gone_responses_are_held_then_written(
    emulator_url: str, postgres: PostgresServer, tmp_path: Path
) -> None:
    with (
        postgres_database(postgres) as database,
        serving(gateway_settings(emulator_url, **database.settings)) as url,
    ):
        assert create(url).status_code == 200  # the schema is made while it answers
        postgres.stop()
        try:
            held, _ = served_through_the_outage(url)
        finally:
            postgres.start()

        def stored() -> int:
            with database.engine.connect() as connection:
                query = text("SELECT count(*) FROM responses WHERE id = :id")
                return int(connection.execute(query, {"id": held}).scalar_one())

        assert until(stored)  # written once the database answers, without another request
        assert read(url, held).status_code == 200


def test_a_sqlite_file_out_of_reach_holds_responses_until_it_can_be_written(
    emulator_url: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the store's folder should be")
    responses_db = blocker / "responses.sqlite3"
    ledger_db = tmp_path / "ledger.sqlite3"  # the ledger beside, in reach
    settings = gateway_settings(emulator_url, responses_db=responses_db, ledger_db=ledger_db)
    with serving(settings) as url:
        held, _ = served_through_the_outage(url)
        blocker.unlink()

        def stored() -> bool:
            if not responses_db.exists():
                return False
            with contextlib.closing(sqlite3.connect(responses_db)) as connection:
                query = "SELECT count(*) FROM responses WHERE id = ?"
                try:
                    return bool(connection.execute(query, (held,)).fetchone()[0])
                except sqlite3.OperationalError:  # the file made, its table not yet
                    return False

        assert until(stored)
        assert read(url, "resp_never_stored").status_code == 404
        assert read(url, held).status_code == 200
