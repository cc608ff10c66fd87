"""Stored responses in the state's database when it is a shared one (PostgreSQL): the
store's rules on each kind of database, and two gateway processes on one PostgreSQL, each in
a working directory of its own as two hosts are, serving one Responses conversation by
turns."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from commands import hosts
from copilot_gateway.settings import Settings
from copilot_gateway.state.database import StateDatabase, database_url
from copilot_gateway.state.responses import StoredResponse
from copilot_gateway.state.responses_sql import SqlResponseStore
from databases import KINDS, Database, database_of, postgres_database
from postgres_server import PostgresServer

KEYS = {"alice": "sk-alice-replicas", "bob": "sk-bob-replicas"}


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


def stored(response_id: str) -> StoredResponse:
    return StoredResponse({"id": response_id, "object": "response"}, [{"id": "i"}], [])


def test_a_response_belongs_to_its_owner_until_deleted_or_expired(database: Database) -> None:
    async def scenario() -> None:
        state = StateDatabase(database_url(Settings(**database.settings)))
        store = SqlResponseStore(state, ttl_seconds=60)
        expiring = SqlResponseStore(state, ttl_seconds=-1)  # expired as soon as it is stored
        try:
            await asyncio.gather(*(store.put("alice", stored(f"resp_{n}")) for n in range(20)))
            assert await store.get("alice", "resp_3") == stored("resp_3")
            assert await store.get("bob", "resp_3") is None
            assert not await store.delete("bob", "resp_3")
            assert await store.delete("alice", "resp_3")
            assert await store.get("alice", "resp_3") is None
            await expiring.put("alice", stored("resp_old"))  # its write purges what expired
            assert await expiring.get("alice", "resp_old") is None
        finally:
            await store.aclose()
            await expiring.aclose()
            await state.aclose()

    asyncio.run(scenario())
    with database.engine.connect() as connection:
        ids = {row[0] for row in connection.execute(text("SELECT id FROM responses"))}
    assert ids == {f"resp_{n}" for n in range(20)} - {"resp_3"}


def as_key(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[name]}"}


def test_a_conversation_continues_on_whichever_replica_gets_its_next_turn(
    tmp_path: Path, emulator_url: str, postgres: PostgresServer
) -> None:
    with postgres_database(postgres) as database:
        shared = {
            "GATEWAY_API_KEYS": ",".join(KEYS.values()),
            "GATEWAY_DATABASE_URL": database.settings["database_url"],
            "GITHUB_TOKEN": "gho_replicas_responses",
            "GATEWAY_GITHUB_API_URL": emulator_url,
        }
        with hosts(tmp_path, shared) as (a, b):
            turns: list[str] = []
            previous = None
            for host in (a, b, a, b):
                body = {"model": "gpt-5-mini", "input": f"Turn {len(turns) + 1}"}
                if previous:
                    body["previous_response_id"] = previous
                answer = httpx.post(
                    f"{host}/v1/responses", json=body, headers=as_key("alice"), timeout=60
                )
                assert answer.status_code == 200, answer.text
                previous = answer.json()["id"]
                turns.append(previous)
            first, second = turns[0], turns[1]
            kept = httpx.get(f"{b}/v1/responses/{first}", headers=as_key("alice"))
            assert kept.status_code == 200 and kept.json()["id"] == first
            # Another key's response is a 404 on every replica, as on one.
            for host in (a, b):
                other = httpx.get(f"{host}/v1/responses/{first}", headers=as_key("bob"))
                assert other.status_code == 404
            assert httpx.delete(f"{a}/v1/responses/{second}", headers=as_key("alice")).is_success
            gone = httpx.get(f"{b}/v1/responses/{second}", headers=as_key("alice"))
            assert gone.status_code == 404
        # Neither host wrote a SQLite file of its own: the database holds them all.
        assert not list(tmp_path.rglob("*.sqlite3"))
        with database.engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM responses")).scalar_one()
        assert count == len(turns) - 1
