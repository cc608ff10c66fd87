"""Stored chat completions in the state's database: the store's rules on each kind of
database; two gateway processes on one PostgreSQL, each in a working directory of its own as
two hosts are, serving one key's completions alike; and the database unreachable, a 503 in
OpenAI's shape on each kind (the Responses store's SQLite file too), never a 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from commands import hosts
from copilot_gateway.settings import Settings
from copilot_gateway.state.completions import CompletionQuery, CompletionStore, StoredCompletion
from copilot_gateway.state.database import StateDatabase, database_url
from databases import KINDS, Database, database_of, postgres_database
from metrics_scrape import scrape, value
from postgres_server import PostgresServer
from servers import gateway_settings, serving, until

KEYS = {"alice": "sk-alice-completions", "bob": "sk-bob-completions"}
ASK = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello"}], "store": True}


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


def stored(completion_id: str, **metadata: str) -> StoredCompletion:
    completion = {"id": completion_id, "model": "gpt-4o", "metadata": metadata}
    return StoredCompletion(completion, [{"id": f"{completion_id}-0", "role": "user"}], "4o")


def test_a_completion_belongs_to_its_owner_until_deleted_or_expired(database: Database) -> None:
    async def scenario() -> None:
        state = StateDatabase(database_url(Settings(**database.settings)))
        store = CompletionStore(state, ttl_seconds=60)
        expiring = CompletionStore(state, ttl_seconds=-1)  # expired as soon as it is stored
        try:
            for n in range(3):
                await store.put("alice", stored(f"chatcmpl-{n}", n=str(n)))
            assert await store.get("alice", "chatcmpl-1") == stored("chatcmpl-1", n="1")
            assert await store.get("bob", "chatcmpl-1") is None
            assert await store.update_metadata("bob", "chatcmpl-1", {}) is None
            assert not await store.delete("bob", "chatcmpl-1")
            assert (await store.list("bob", CompletionQuery())).completions == []
            by_requested_model = await store.list("alice", CompletionQuery(model="4o"))
            assert [c["id"] for c in by_requested_model.completions] == [
                f"chatcmpl-{n}" for n in range(3)
            ]
            assert await store.delete("alice", "chatcmpl-1")
            assert await store.get("alice", "chatcmpl-1") is None
            await expiring.put("alice", stored("chatcmpl-old", n="old"))  # it purges what expired
            assert await expiring.get("alice", "chatcmpl-old") is None
            # A process's first write purges what expired (then once a minute at most).
            await CompletionStore(state, ttl_seconds=60).put("alice", stored("chatcmpl-new"))
        finally:
            await state.aclose()

    asyncio.run(scenario())
    with database.engine.connect() as connection:
        ids = set(connection.execute(text("SELECT id FROM chat_completions")).scalars())
        pairs = connection.execute(text("SELECT value FROM chat_completion_metadata")).scalars()
        values = set(pairs)
    assert ids == {"chatcmpl-0", "chatcmpl-2", "chatcmpl-new"}
    assert values == {"0", "2"}  # a deleted or purged completion's pairs go with it


def as_key(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[name]}"}


def streamed_id(host: str, body: dict[str, object]) -> str:
    with httpx.stream(
        "POST",
        f"{host}/v1/chat/completions",
        json={**body, "stream": True},
        headers=as_key("alice"),
        timeout=60,
    ) as answer:
        lines = [line for line in answer.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]", lines[-3:]
    return str(json.loads(lines[0].removeprefix("data: "))["id"])


def test_every_replica_serves_the_completions_any_of_them_stored(
    tmp_path: Path, emulator_url: str, postgres: PostgresServer
) -> None:
    with postgres_database(postgres) as database:
        shared = {
            "GATEWAY_API_KEYS": ",".join(KEYS.values()),
            "GATEWAY_DATABASE_URL": database.settings["database_url"],
            "GITHUB_TOKEN": "gho_replicas_completions",
            "GATEWAY_GITHUB_API_URL": emulator_url,
        }
        with hosts(tmp_path, shared) as (a, b):
            on_a = httpx.post(
                f"{a}/v1/chat/completions",
                json={**ASK, "metadata": {"host": "a"}},
                headers=as_key("alice"),
                timeout=60,
            )
            assert on_a.status_code == 200, on_a.text
            first = on_a.json()["id"]
            second = streamed_id(b, {**ASK, "metadata": {"host": "b"}})
            for host in (a, b):
                listing = httpx.get(f"{host}/v1/chat/completions", headers=as_key("alice"))
                assert [c["id"] for c in listing.json()["data"]] == [first, second]
                tagged = httpx.get(
                    f"{host}/v1/chat/completions",
                    params={"metadata[host]": "b"},
                    headers=as_key("alice"),
                )
                assert [c["id"] for c in tagged.json()["data"]] == [second]
                other = httpx.get(f"{host}/v1/chat/completions/{first}", headers=as_key("bob"))
                assert other.status_code == 404
            kept = httpx.get(f"{b}/v1/chat/completions/{first}", headers=as_key("alice"))
            assert kept.json()["choices"] == on_a.json()["choices"]
            changed = httpx.post(
                f"{b}/v1/chat/completions/{first}",
                json={"metadata": {"host": "both"}},
                headers=as_key("alice"),
            )
            assert changed.status_code == 200, changed.text
            seen = httpx.get(f"{a}/v1/chat/completions/{first}", headers=as_key("alice"))
            assert seen.json()["metadata"] == {"host": "both"}
            messages = httpx.get(
                f"{a}/v1/chat/completions/{second}/messages", headers=as_key("alice")
            )
            assert [m["content"] for m in messages.json()["data"]] == ["Hello"]
            gone = httpx.delete(f"{a}/v1/chat/completions/{second}", headers=as_key("alice"))
            assert gone.json()["deleted"] is True
            after = httpx.get(f"{b}/v1/chat/completions/{second}", headers=as_key("alice"))
            assert after.status_code == 404
        # Neither host wrote a SQLite file of its own: the database holds them all.
        assert not list(tmp_path.rglob("*.sqlite3"))


def assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert (error["type"], error["code"]) == ("api_error", "database_unavailable")


def metric(url: str, name: str) -> float:
    return value(scrape(url), name)


def held_while_unreachable(url: str) -> list[str]:
    """What is answered with the database out of reach: stored creates served and held in
    the process (read, changed, their messages listed there); what only the database could
    say (a listing, another id) a 503. The ids of the completions held."""
    headers = as_key("alice")
    made = httpx.post(f"{url}/v1/chat/completions", json=ASK, headers=headers, timeout=60)
    assert made.status_code == 200, made.text
    held = made.json()["id"]
    streamed = streamed_id(url, ASK)  # a stored stream ends as ever, with [DONE]
    assert httpx.get(f"{url}/v1/chat/completions/{held}", headers=headers).json()["id"] == held
    messages = httpx.get(f"{url}/v1/chat/completions/{streamed}/messages", headers=headers)
    assert [m["content"] for m in messages.json()["data"]] == ["Hello"]
    changed = httpx.post(
        f"{url}/v1/chat/completions/{held}", json={"metadata": {"held": "yes"}}, headers=headers
    )
    assert changed.json()["metadata"] == {"held": "yes"}
    other = httpx.get(f"{url}/v1/chat/completions/{held}", headers=as_key("bob"))
    assert_unavailable(other)  # not bob's: only the database could say whose
    assert_unavailable(httpx.get(f"{url}/v1/chat/completions", headers=headers))
    assert_unavailable(httpx.get(f"{url}/v1/chat/completions/chatcmpl-x", headers=headers))
    assert_unavailable(httpx.get(f"{url}/v1/chat/completions/chatcmpl-x/messages", headers=headers))
    assert_unavailable(
        httpx.post(f"{url}/v1/chat/completions/chatcmpl-x", json={"metadata": {}}, headers=headers)
    )
    assert_unavailable(httpx.delete(f"{url}/v1/chat/completions/chatcmpl-x", headers=headers))
    assert metric(url, "gateway_completions_held") == 2
    unstored = {**ASK, "store": False}
    assert httpx.post(
        f"{url}/v1/chat/completions", json=unstored, headers=headers, timeout=60
    ).is_success
    return [held, streamed]


def test_postgresql_stopped_holds_stored_completions_then_writes_them(
    emulator_url: str, postgres: PostgresServer
) -> None:
    with postgres_database(postgres) as database:
        settings = gateway_settings(
            emulator_url, api_keys=",".join(KEYS.values()), **database.settings
        )
        with serving(settings) as url:
            made = httpx.post(
                f"{url}/v1/chat/completions", json=ASK, headers=as_key("alice"), timeout=60
            )
            assert made.status_code == 200, made.text
            dropped_before = metric(url, "gateway_completions_dropped_total")  # the process's
            postgres.stop()
            try:
                held = held_while_unreachable(url)
            finally:
                postgres.start()
            # Written once the database answers, without another request.
            assert until(lambda: metric(url, "gateway_completions_held") == 0)
            with database.engine.connect() as connection:
                ids = set(connection.execute(text("SELECT id FROM chat_completions")).scalars())
                tags = connection.execute(text("SELECT value FROM chat_completion_metadata"))
                values = list(tags.scalars())
            assert ids == {made.json()["id"], *held}
            assert values == ["yes"]  # the change made while it was held
            listing = httpx.get(f"{url}/v1/chat/completions", headers=as_key("alice"))
            assert [c["id"] for c in listing.json()["data"]] == [made.json()["id"], *held]
            assert metric(url, "gateway_completions_dropped_total") == dropped_before


def test_a_sqlite_file_that_cannot_be_opened_holds_completions_and_is_a_503_for_reads(
    emulator_url: str, tmp_path: Path
) -> None:
    unopenable = tmp_path / "a-directory"  # SQLite cannot open a directory as its file
    unopenable.mkdir()
    settings = gateway_settings(
        emulator_url,
        api_keys=",".join(KEYS.values()),
        ledger_db=unopenable,
        responses_db=unopenable,
    )
    with serving(settings) as url:
        held_while_unreachable(url)
        headers = as_key("alice")
        assert_unavailable(httpx.get(f"{url}/v1/responses/resp_x", headers=headers))
        assert_unavailable(httpx.delete(f"{url}/v1/responses/resp_x", headers=headers))
        stored_response = {"model": "gpt-4o", "input": "Hello"}  # `store` is true by default
        # A response is answered and held in the process until its database can be written
        # (tests/state/test_responses_outage.py).
        held = httpx.post(f"{url}/v1/responses", json=stored_response, headers=headers, timeout=60)
        assert held.status_code == 200, held.text
