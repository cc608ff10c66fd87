"""Runtime keys on running gateways, on SQLite and PostgreSQL: a key the CLI makes works at
once; its allow/deny and `rpm` apply as a config-file key's do; a revoked key is refused
within a second by two gateway processes sharing one PostgreSQL; the database gone, the
keys known keep working; no secret in the logs, nor admin requests in the ledger."""

from __future__ import annotations

import json
import logging
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from access_lines import capture_access
from admin_api import ADMIN, ADMIN_TOKEN, admin_settings, bearer, create_key
from commands import COMMAND, clean_env, free_port, started
from conftest import AUTH
from databases import KINDS, Database, database_of, postgres_database, sqlite_database
from postgres_server import PostgresServer
from servers import gateway_settings, serving, until

CHAT = {"messages": [{"role": "user", "content": "hi"}]}
RUNTIME_KEYS_LOG = "copilot_gateway.access.runtime_keys"


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


def database_env(database: Database) -> dict[str, str]:
    return {f"GATEWAY_{name.upper()}": str(value) for name, value in database.settings.items()}


def keys_command(database: Database, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`copilot-gateway keys ...` as an operator runs it, on the test's database."""
    return subprocess.run(
        [*COMMAND, "keys", *args],
        env=clean_env(**database_env(database), **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def chat(url: str, secret: str, model: str) -> httpx.Response:
    body = {**CHAT, "model": model}
    return httpx.post(f"{url}/v1/chat/completions", json=body, headers=bearer(secret), timeout=30)


def test_a_key_the_cli_makes_is_usable_at_once_on_a_running_gateway(
    emulator_url: str, database: Database
) -> None:
    with serving(admin_settings(emulator_url, database)) as url:
        made = keys_command(database, "create", "--name", "ops-bot")
        assert made.returncode == 0, made.stderr
        secret = made.stdout.splitlines()[0]
        # No refresh waited for: a key the process does not know reads the database at once.
        assert httpx.get(f"{url}/v1/models", headers=bearer(secret)).status_code == 200


def test_runtime_keys_in_the_database_at_start_up_turn_client_auth_on(
    emulator_url: str, database: Database
) -> None:
    made = keys_command(database, "create", "--name", "early")
    secret = made.stdout.splitlines()[0]
    # No GATEWAY_API_KEYS, no config-file key, no admin token: the database's key decides.
    settings = gateway_settings(emulator_url, api_keys="", **database.settings)
    with serving(settings) as url:
        assert httpx.get(f"{url}/v1/models").status_code == 401
        assert httpx.get(f"{url}/v1/models", headers=bearer(secret)).status_code == 200


def test_a_runtime_keys_allow_and_deny_bind_its_models_and_its_model_list(
    emulator_url: str, database: Database
) -> None:
    with serving(admin_settings(emulator_url, database)) as url:
        secret = create_key(url, "gpt-only", allow=["gpt-*"], deny=["gpt-4o-mini"])
        models = httpx.get(f"{url}/v1/models", headers=bearer(secret)).json()["data"]
        ids = {model["id"] for model in models}
        assert ids and all(i.startswith("gpt-") and i != "gpt-4o-mini" for i in ids)
        assert chat(url, secret, "gpt-4.1").status_code == 200
        for refused in ("claude-sonnet-4", "gpt-4o-mini"):
            response = chat(url, secret, refused)
            assert response.status_code == 404, response.text
            assert response.json()["error"]["code"] == "model_not_found"
        # Changed at runtime, bound at once: the config file's keys are not touched.
        httpx.patch(f"{url}/admin/keys/gpt-only", json={"allow": None}, headers=ADMIN)
        assert chat(url, secret, "claude-sonnet-4").status_code == 200


def test_a_runtime_keys_rpm_refuses_the_request_past_it(
    emulator_url: str, database: Database
) -> None:
    with serving(admin_settings(emulator_url, database)) as url:
        secret = create_key(url, "slow", rpm=2)
        first, second, third = (chat(url, secret, "gpt-4.1") for _ in range(3))
        assert (first.status_code, second.status_code) == (200, 200)
        assert third.status_code == 429, third.text
        assert third.json()["error"]["type"] == "rate_limit_error"
        assert first.headers["x-ratelimit-limit-requests"] == "2"
        # Another key is not limited by it.
        assert chat(url, create_key(url, "free"), "gpt-4.1").status_code == 200


def test_the_cli_makes_lists_changes_and_revokes_keys(database: Database) -> None:
    made = keys_command(database, "create", "--name", "alice", "--allow", "gpt-*", "--rpm", "5")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.splitlines()[0]
    assert secret.startswith("sk-cg-") and made.stdout.strip() == secret

    listed = keys_command(database, "list")
    assert listed.returncode == 0 and "alice" in listed.stdout and "gpt-*" in listed.stdout
    as_json = keys_command(database, "list", "--json")
    (alice,) = [key for key in json.loads(as_json.stdout) if key["name"] == "alice"]
    assert (alice["rpm"], alice["allow"], alice["source"]) == (5, ["gpt-*"], "runtime")

    changed = keys_command(database, "update", "alice", "--clear", "rpm", "--tpm", "900")
    assert changed.returncode == 0, changed.stderr
    header, row = (line.split() for line in changed.stdout.splitlines())
    assert (row[header.index("rpm")], row[header.index("tpm")]) == ("-", "900")

    revoked = keys_command(database, "revoke", "alice")
    assert revoked.returncode == 0 and "revoked alice" in revoked.stdout
    outputs = [listed, as_json, changed, revoked]
    assert all(secret not in out.stdout + out.stderr for out in outputs)


def test_the_cli_says_what_is_wrong_and_exits_2(tmp_path: Path) -> None:
    wrong = [
        (["update", "nobody", "--rpm", "1"], "No active runtime key named 'nobody'"),
        (["revoke", "nobody"], "No active runtime key named 'nobody'"),
        (["create", "--name", "key-1"], "GATEWAY_API_KEYS"),  # a static key's name
        (["create", "--name", "taken"], "exists already"),
        (["create", "--name", "bad", "--rpm", "0"], "rpm"),
    ]
    with sqlite_database(tmp_path) as database:
        keys_command(database, "create", "--name", "taken")
        for args, says in wrong:
            result = keys_command(database, *args, GATEWAY_API_KEYS="sk-static")
            assert result.returncode == 2, (args, result)
            assert says in result.stderr and result.stdout == "", args


def test_a_revoked_key_is_refused_within_a_second_by_two_processes_on_one_postgresql(
    postgres: PostgresServer,
) -> None:
    with postgres_database(postgres) as database:
        env = clean_env(
            GATEWAY_DATABASE_URL=database.settings["database_url"],
            GATEWAY_ADMIN_TOKEN=ADMIN_TOKEN,
            GATEWAY_LOG_LEVEL="warning",
        )
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        with (
            started(["serve", "--port", str(ports[0])], env, f"{urls[0]}/healthz"),
            started(["serve", "--port", str(ports[1])], env, f"{urls[1]}/healthz"),
        ):
            secret = create_key(urls[0], "leaving")
            for url in urls:
                assert httpx.get(f"{url}/v1/models", headers=bearer(secret)).status_code == 200
            revoked = httpx.delete(f"{urls[0]}/admin/keys/leaving", headers=ADMIN)
            assert revoked.status_code == 200
            at = time.monotonic()
            refused_after: dict[str, float] = {}

            def both_refuse() -> bool:
                for url in urls:
                    if url not in refused_after:
                        answer = httpx.get(f"{url}/v1/models", headers=bearer(secret))
                        if answer.status_code == 401:
                            refused_after[url] = time.monotonic() - at
                return len(refused_after) == 2

            assert until(both_refuse, within=10)
            assert max(refused_after.values()) < 1.0, refused_after


def test_the_database_gone_the_keys_known_keep_working_and_the_admin_api_says_so(
    emulator_url: str, postgres: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=RUNTIME_KEYS_LOG)

    def said(words: str) -> int:
        return sum(r.name == RUNTIME_KEYS_LOG and words in r.getMessage() for r in caplog.records)

    with (
        postgres_database(postgres) as database,
        serving(admin_settings(emulator_url, database)) as url,
    ):
        secret = create_key(url, "steady")
        postgres.stop()
        try:
            assert until(lambda: said("cannot be reached"))
            assert httpx.get(f"{url}/v1/models", headers=bearer(secret)).status_code == 200
            unknown = httpx.get(f"{url}/v1/models", headers=bearer("sk-cg-unknown"))
            # Not a 401 (it may be a key made elsewhere meanwhile) nor a 500: a 503 to retry.
            assert unknown.status_code == 503, unknown.text
            assert unknown.json()["error"]["code"] == "database_unavailable"
            listing = httpx.get(f"{url}/admin/keys", headers=ADMIN)
            assert listing.status_code == 503, listing.text
            assert listing.json()["error"]["code"] == "database_unavailable"
            report = httpx.get(f"{url}/admin/usage", headers=ADMIN)
            assert report.status_code == 503, report.text
            assert report.json()["error"]["code"] == "database_unavailable"
        finally:
            postgres.start()
        assert until(lambda: said("answers again"))
        assert httpx.get(f"{url}/v1/models", headers=bearer(secret)).status_code == 200
    assert said("cannot be reached") == 1  # once, however many refreshes failed


def test_no_secret_in_the_logs_and_no_admin_request_in_the_ledger(
    emulator_url: str, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    capture_access(caplog)
    caplog.set_level(logging.DEBUG, logger="copilot_gateway")
    with serving(admin_settings(emulator_url, database)) as url:
        secret = create_key(url, "quiet")
        httpx.get(f"{url}/admin/keys", headers=ADMIN)
        assert chat(url, secret, "gpt-4.1").status_code == 200
        assert until(lambda: database.count() == 1)  # the chat: the admin calls are not rows
        assert chat(url, AUTH["Authorization"].split()[1], "gpt-4.1").status_code == 200
        assert until(lambda: database.count() == 2)
    assert [row["key_name"] for row in database.ledger()] == ["quiet", "key-1"]
    logged = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
    assert secret not in logged and ADMIN_TOKEN not in logged
    assert "/admin/keys" in logged  # the operator's requests are in the access log
