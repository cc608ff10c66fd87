"""PostgreSQL out of reach under load: requests keep being served, their ledger rows
buffered and every one written once it answers (counted by `gateway_ledger_*`); runtime
keys served from what the process last read, for `GATEWAY_KEYS_MAX_STALE_SECONDS` at most;
a key it does not know a 503, not a 401; a revocation made meanwhile honoured once the
database answers."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from admin_api import admin_settings, bearer, create_key
from databases import Database, postgres_database
from metrics_scrape import scrape, value
from postgres_server import PostgresServer
from servers import serving, until
from tcp_relay import TcpRelay, relayed

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def chat(url: str, secret: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/chat/completions", json=CHAT, headers=bearer(secret), timeout=60)


def unavailable(answer: httpx.Response) -> bool:
    return answer.status_code == 503 and answer.json()["error"]["code"] == "database_unavailable"


class Load:
    """Clients asking on and on with one key, each answer's status counted, until stopped."""

    def __init__(self, url: str, secret: str, clients: int = 4) -> None:
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._ask, args=(url, secret)) for _ in range(clients)
        ]
        for thread in self._threads:
            thread.start()

    def _ask(self, url: str, secret: str) -> None:
        while not self._stop.is_set():
            status = chat(url, secret).status_code
            with self._lock:
                self.statuses[status] += 1

    def served(self) -> int:
        with self._lock:
            return self.statuses[200]

    def stop(self) -> Counter[int]:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        return self.statuses


def ledger_rows(database: Database, key_name: str) -> int:
    with database.engine.connect() as connection:
        query = text("SELECT count(*) FROM ledger WHERE key_name = :name")
        return int(connection.execute(query, {"name": key_name}).scalar_one())


def test_postgresql_stopped_and_restarted_under_load_loses_no_request_and_no_row(
    emulator_url: str, postgres: PostgresServer
) -> None:
    with (
        postgres_database(postgres) as database,
        serving(admin_settings(emulator_url, database)) as url,
    ):
        secret = create_key(url, "steady")
        assert chat(url, secret).status_code == 200
        # The counters are the test process's (an earlier test's gateway may have dropped rows).
        dropped_before = value(scrape(url), "gateway_ledger_rows_dropped_total")
        load = Load(url, secret)
        try:
            assert until(lambda: load.served() >= 10)
            postgres.stop()
            try:
                # The process finds out (a key it does not know is a 503 then, not a 401).
                assert until(lambda: unavailable(chat(url, "sk-cg-never-made")))
                at_outage = load.served()
                assert until(lambda: load.served() >= at_outage + 20)  # served meanwhile
                buffered = value(scrape(url), "gateway_ledger_rows_buffered")
                assert buffered >= 20
            finally:
                postgres.start()
        finally:
            statuses = load.stop()
        assert set(statuses) == {200}, statuses  # not one request failed
        # Every answer's row written once it answers, none dropped.
        asked = 1 + sum(statuses.values())
        assert until(lambda: ledger_rows(database, "steady") == asked)
        samples = scrape(url)
        assert value(samples, "gateway_ledger_rows_buffered") == 0
        assert value(samples, "gateway_ledger_rows_dropped_total") == dropped_before
        # The written count is every request's row: the chats and the unknown key's 503s.
        assert value(samples, "gateway_ledger_rows_written_total") >= asked
        assert chat(url, secret).status_code == 200


@pytest.fixture
def relay(postgres: PostgresServer) -> Iterator[TcpRelay]:
    """PostgreSQL reached through a relay the test cuts: out of reach for the gateway only
    (as on a partition), while another replica (the test) still writes to it."""
    with relayed(postgres.port) as relay:
        yield relay


def through(relay: TcpRelay, database: Database) -> dict[str, str]:
    port = database.settings["database_url"].split(":")[-1].split("/")[0]
    return {"database_url": database.settings["database_url"].replace(port, str(relay.port))}


def revoke_elsewhere(database: Database, name: str) -> None:
    """What `DELETE /admin/keys/<name>` on another replica does."""
    with database.engine.begin() as connection:
        revoked = "UPDATE keys SET revoked_at = now() WHERE name = :name"
        connection.execute(text(revoked), {"name": name})
        connection.execute(text("UPDATE keys_revision SET revision = revision + 1"))


def test_a_key_revoked_while_the_database_is_out_of_reach_is_refused_once_it_answers(
    emulator_url: str, postgres: PostgresServer, relay: TcpRelay
) -> None:
    with postgres_database(postgres) as database:
        settings = admin_settings(emulator_url, database, **through(relay, database))
        with serving(settings) as url:
            staying, leaving = create_key(url, "staying"), create_key(url, "leaving")
            assert chat(url, staying).status_code == chat(url, leaving).status_code == 200
            relay.cut()
            try:
                assert until(lambda: unavailable(chat(url, "sk-cg-never-made")))
                revoke_elsewhere(database, "leaving")
                # Within the staleness bound, what was last read answers: both keys work.
                assert chat(url, staying).status_code == 200
                assert chat(url, leaving).status_code == 200
            finally:
                relay.mend()
            assert until(lambda: chat(url, leaving).status_code == 401)
            assert chat(url, staying).status_code == 200


def test_keys_last_read_stop_working_past_the_staleness_bound_and_work_again_after(
    emulator_url: str, postgres: PostgresServer, relay: TcpRelay
) -> None:
    with postgres_database(postgres) as database:
        settings = admin_settings(
            emulator_url, database, keys_max_stale_seconds=1, **through(relay, database)
        )
        with serving(settings) as url:
            secret = create_key(url, "bounded")
            assert chat(url, secret).status_code == 200
            relay.cut()
            try:
                assert until(lambda: unavailable(chat(url, secret)))  # past the bound
                assert chat(url, "sk-test-key").status_code == 200  # a static key: no database
            finally:
                relay.mend()
            assert until(lambda: chat(url, secret).status_code == 200)
