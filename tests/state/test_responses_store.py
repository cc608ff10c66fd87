"""The SQLite response store: ownership, expiry, and two processes writing at once."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from commands import clean_env, free_port, started
from copilot_gateway.state.responses import SCHEMA, SQLiteResponseStore, StoredResponse


def stored(response_id: str) -> StoredResponse:
    return StoredResponse({"id": response_id, "object": "response"}, [{"id": "i"}], [])


def test_a_response_belongs_to_its_owner_until_deleted(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = SQLiteResponseStore(tmp_path / "r.sqlite3", ttl_seconds=60)
        await store.put("alice", stored("resp_1"))
        assert (await store.get("alice", "resp_1")) == stored("resp_1")
        assert await store.get("bob", "resp_1") is None
        assert not await store.delete("bob", "resp_1")
        assert await store.delete("alice", "resp_1")
        assert await store.get("alice", "resp_1") is None
        await store.aclose()

    asyncio.run(scenario())


def test_expired_responses_are_not_served_and_are_purged(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = SQLiteResponseStore(tmp_path / "r.sqlite3", ttl_seconds=0.01)
        await store.put("alice", stored("resp_old"))
        await asyncio.sleep(0.05)
        assert await store.get("alice", "resp_old") is None
        store._next_purge = 0  # the next write purges
        await store.put("alice", stored("resp_new"))
        await store.aclose()

    asyncio.run(scenario())
    rows = sqlite3.connect(tmp_path / "r.sqlite3").execute("SELECT id FROM responses").fetchall()
    assert rows == [("resp_new",)]


def write_many(path: str, prefix: str, count: int) -> None:
    async def scenario() -> None:
        store = SQLiteResponseStore(Path(path), ttl_seconds=600)
        await asyncio.gather(*(store.put("k", stored(f"{prefix}{n}")) for n in range(count)))
        await store.aclose()

    asyncio.run(scenario())


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "r.sqlite3")
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=write_many, args=(path, prefix, 200)) for prefix in ("a", "b")
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
        assert writer.exitcode == 0
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("SELECT count(*) FROM responses").fetchone() == (400,)


def test_serve_with_workers_keeps_every_response_written_at_once(tmp_path: Path) -> None:
    """`serve --workers 2`: responses created concurrently, each retrievable from any worker."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(
        GATEWAY_API_KEYS="sk-workers", GATEWAY_RESPONSES_DB=str(tmp_path / "shared.sqlite3")
    )
    auth = {"Authorization": "Bearer sk-workers"}
    with started(["serve", "--port", str(port), "--workers", "2"], env, f"{base}/healthz"):

        def create(n: int) -> str:
            body = {"model": "gpt-4o", "input": f"turn {n}"}
            with httpx.Client(headers=auth) as http:  # a connection each
                response = http.post(f"{base}/v1/responses", json=body)
            assert response.status_code == 200, response.text
            return str(response.json()["id"])

        with ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(create, range(60)))
        for response_id in ids:
            fetched = httpx.get(f"{base}/v1/responses/{response_id}", headers=auth)
            assert fetched.status_code == 200
    connection = sqlite3.connect(tmp_path / "shared.sqlite3")
    assert connection.execute("SELECT count(*) FROM responses").fetchone() == (60,)


def test_puts_made_at_once_are_each_stored_when_they_return(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = SQLiteResponseStore(tmp_path / "r.sqlite3", ttl_seconds=60)
        ids = [f"resp_{n}" for n in range(200)]

        async def put_then_read(response_id: str) -> StoredResponse | None:
            await store.put("alice", stored(response_id))
            return await store.get("alice", response_id)  # visible as soon as put returns

        found = await asyncio.gather(*(put_then_read(i) for i in ids))
        assert found == [stored(i) for i in ids]
        await store.aclose()

    asyncio.run(scenario())


def test_puts_the_database_refuses_are_held_served_and_written_once_it_answers(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        store = SQLiteResponseStore(tmp_path / "r.sqlite3", ttl_seconds=60)
        store._batches.retry_seconds = 0.01
        await store.put("alice", stored("resp_first"))
        connection = store._connection
        assert connection is not None
        connection.execute("DROP TABLE responses")
        await asyncio.gather(*(store.put("alice", stored(f"resp_{n}")) for n in range(5)))
        assert await store.get("alice", "resp_3") == stored("resp_3")  # held, in the process
        connection.executescript(SCHEMA)
        retrier = store._batches._retrier
        assert retrier is not None
        await asyncio.wait_for(retrier, 60)  # it ends once nothing is held
        rows = connection.execute("SELECT id FROM responses ORDER BY id").fetchall()
        assert [row[0] for row in rows] == [f"resp_{n}" for n in range(5)]
        await store.aclose()

    asyncio.run(scenario())


def test_every_put_of_a_batch_that_cannot_be_encoded_hears_why(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = SQLiteResponseStore(tmp_path / "r.sqlite3", ttl_seconds=60)
        unencodable = StoredResponse({"id": "resp_bad", "object": object()}, [], [])
        outcomes = await asyncio.gather(
            store.put("alice", unencodable),
            store.put("alice", stored("resp_beside")),
            return_exceptions=True,
        )
        assert [type(outcome) for outcome in outcomes] == [TypeError] * 2
        await store.aclose()

    asyncio.run(scenario())
