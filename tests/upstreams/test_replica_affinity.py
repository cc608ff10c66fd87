"""Two gateway processes, each in a directory of its own as on two hosts, with two Copilot
accounts and one Redis and PostgreSQL between them: a Codex session whose turns alternate
replicas stays on the account that served its first turn, where unnamed requests go round."""

from __future__ import annotations

from pathlib import Path

import httpx

from commands import hosts
from copilot_gateway.emulator import CopilotEmulator
from databases import postgres_database
from emulated_copilot import served_by
from postgres_server import PostgresServer
from redis_server import running_redis

TOKENS = {"default": "gho_replica_account_a", "b": "gho_replica_account_b"}
KEY = "sk-replica-affinity"


def turn(emulator: CopilotEmulator, host: str, headers: dict[str, str], text: str) -> str:
    """One Codex-like turn (gpt-5-mini is free: without a tie it goes round-robin) on this
    replica; the account that served it."""
    body = {"model": "gpt-5-mini", "input": text, "store": False}
    answer = httpx.post(
        f"{host}/v1/responses",
        json=body,
        headers={"Authorization": f"Bearer {KEY}", **headers},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return served_by(emulator, TOKENS)


def test_a_codex_session_alternating_replicas_stays_on_one_account(
    tmp_path: Path, emulator: CopilotEmulator, emulator_url: str, postgres: PostgresServer
) -> None:
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    (accounts / "b").write_text(TOKENS["b"])
    with running_redis(tmp_path) as redis, postgres_database(postgres) as database:
        shared = {
            "GATEWAY_API_KEYS": KEY,
            "GITHUB_TOKEN": TOKENS["default"],
            "GATEWAY_ACCOUNTS_DIR": str(accounts),
            "GATEWAY_GITHUB_API_URL": emulator_url,
            "GATEWAY_REDIS_URL": redis.url,
            "GATEWAY_DATABASE_URL": database.settings["database_url"],
        }
        with hosts(tmp_path, shared) as (first, second):
            # The first replica's round-robin turn goes to the default account, so the session
            # starts on b; the second replica's own next turn would be the default account.
            assert turn(emulator, first, {}, "warm up") == "default"
            session = {"session-id": "0195f3c2-codex-session"}
            served = [
                turn(emulator, host, session, f"Turn {number}")
                for number, host in enumerate((first, second, first, second, second, first))
            ]
            unnamed = [turn(emulator, host, {}, "Hi") for host in (second, first, second, first)]
    assert served == ["b"] * 6
    assert set(unnamed) == {"default", "b"}  # without the session, the replicas go round
