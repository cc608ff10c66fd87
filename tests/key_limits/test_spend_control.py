"""Spend control end to end, as a team runs it: two real `copilot-gateway serve` processes
(each in a directory of its own, as two hosts) sharing one PostgreSQL and one Redis. A key
made with the CLI while they run is served at once by both, spends its daily budget across
them, is refused with the 429 that says until when, and what it spent reads the same in
`/admin/usage` (on either), `copilot-gateway usage --by key` and the two `/metrics`."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from limited_keys import billed, cleared, in_one_window

from admin_api import ADMIN, ADMIN_TOKEN, bearer
from commands import COMMAND, clean_env, hosts
from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.key_limits.budgets import DAY_SECONDS
from databases import postgres_database
from metrics_scrape import scrape
from postgres_server import PostgresServer
from redis_server import RedisServer, running_redis
from servers import running, until

PRICED = "claude-sonnet-4.5"  # a few hundredths of a credit a call on the emulator
BUDGET = 0.1  # credits a day: a handful of calls
NAME = "spender"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


def cli(shared: dict[str, str], *args: str) -> str:
    """`copilot-gateway ...` as the operator runs it on the shared database: what it printed."""
    done = subprocess.run(
        [*COMMAND, *args],
        env=clean_env(**shared),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def chat(url: str, secret: str) -> httpx.Response:
    body = {"model": PRICED, "messages": [{"role": "user", "content": "Spend a little"}]}
    return httpx.post(f"{url}/v1/chat/completions", json=body, headers=bearer(secret), timeout=60)


def spent_until_refused(urls: list[str], secret: str) -> tuple[int, httpx.Response, float]:
    """Calls by turns on the two replicas until one is refused: how many were served, the
    refusal, and the seconds from its sending to the end of the UTC day."""
    served = 0
    while True:
        url = urls[served % 2]
        sent = time.time()
        answer = chat(url, secret)
        if answer.status_code != 200:
            return served, answer, DAY_SECONDS - sent % DAY_SECONDS
        served += 1
        assert served < 100, "the budget never ran out"


def credits_in_metrics(urls: list[str], key: str) -> float:
    return sum(
        value
        for url in urls
        for (name, labels), value in scrape(url).items()
        if name == "gateway_credits_total" and dict(labels).get("key") == key
    )


def test_a_key_made_by_the_cli_spends_its_budget_across_two_replicas_and_reads_the_same_everywhere(
    tmp_path: Path, postgres: PostgresServer, redis_server: RedisServer
) -> None:
    emulator = CopilotEmulator()
    with (
        running(emulator.app) as emulator_url,
        postgres_database(postgres) as database,
    ):
        shared = {
            "GATEWAY_DATABASE_URL": database.settings["database_url"],
            "GATEWAY_REDIS_URL": redis_server.url,
            "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
            "GITHUB_TOKEN": "gho_spend_control",
            "GATEWAY_GITHUB_API_URL": emulator_url,
            "GATEWAY_LEDGER_FLUSH_SECONDS": "0.05",
        }
        with hosts(tmp_path, shared) as urls:
            printed = cli(
                shared, "keys", "create", "--name", NAME, "--credits-per-day", str(BUDGET)
            )
            secret = printed.splitlines()[0]
            assert secret.startswith("sk-cg-")
            # Usable at once on both: neither waited for its next refresh of the keys.
            for url in urls:
                assert httpx.get(f"{url}/v1/models", headers=bearer(secret)).status_code == 200

            asked = [len(urls)]  # every call sent with the key (the model lists too): rows

            def spend() -> tuple[int, httpx.Response, float, float]:
                before = billed(emulator)
                served, refused, to_midnight = spent_until_refused(urls, secret)
                asked[0] += served + 1
                return served, refused, to_midnight, billed(emulator) - before

            run = in_one_window(DAY_SECONDS, spend, cleared(redis_server))
            served, refused, to_midnight, spent = run
            assert served >= 2, "both replicas served the key before its budget ran out"
            assert refused.status_code == 429, refused.text
            assert refused.json()["error"]["code"] == "insufficient_quota"
            assert refused.headers["x-should-retry"] == "false"
            assert abs(int(refused.headers["retry-after"]) - to_midnight) <= 2
            assert secret not in refused.text
            # The other replica refuses it too: the budget is one, in Redis.
            assert chat(urls[(served + 1) % 2], secret).status_code == 429
            asked[0] += 1
            # The emulator billed what the budget allowed, give or take the last call.
            assert BUDGET <= spent < 2 * BUDGET

            def report(url: str) -> dict:
                answer = httpx.get(f"{url}/admin/usage", headers=ADMIN)
                assert answer.status_code == 200, answer.text
                rows = answer.json()["data"]
                return next((row for row in rows if row["key"] == NAME), {})

            # Every call is a ledger row, the refusals too, once the writers have flushed.
            assert until(lambda: report(urls[0]).get("requests") == asked[0]), report(urls[0])
            over_http = [report(url) for url in urls]
            assert over_http[0] == over_http[1]
            assert over_http[0]["errors"] >= 2
            metrics = credits_in_metrics(urls, NAME)

        printed = cli(shared, "usage", "--by", "key", "--format", "json")
        (by_cli,) = [row for row in json.loads(printed) if row["key"] == NAME]
    assert by_cli == over_http[0]
    assert by_cli["credits"] == pytest.approx(metrics) == pytest.approx(billed(emulator))
