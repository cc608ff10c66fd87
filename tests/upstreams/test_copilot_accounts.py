"""Several Copilot accounts: spread, failover, cool-down, plans (see `upstreams.copilot.pool`)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import httpx
import pytest

from commands import COMMAND, clean_env
from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig
from copilot_gateway.emulator.quota import account_of
from metrics_scrape import scrape, value
from servers import accounts, gateway_app, gateway_settings, running, serving, until

AUTH = {"Authorization": "Bearer sk-test-key"}
FREE_MODEL = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
PREMIUM_MODEL = {**FREE_MODEL, "model": "claude-sonnet-4"}


def served_by(emulator: CopilotEmulator, count: int) -> list[str]:
    """The accounts (emulator ids) of the last `count` chat calls."""
    calls = [h for h in emulator.state.seen_headers if "x-initiator" in h][-count:]
    return [h["authorization"].split("tid=")[1].split(";")[0] for h in calls]


def chat(url: str, body: dict) -> httpx.Response:
    return httpx.post(f"{url}/v1/chat/completions", json=body, headers=AUTH, timeout=30)


def test_free_models_go_round_robin_over_the_accounts(tmp_path: Path) -> None:
    emulator = CopilotEmulator()
    entries = accounts(tmp_path, a="gho_account_a", b="gho_account_b")
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(emulator_url, github_token=None, accounts=entries)
        with running(gateway_app(settings)) as url:
            for _ in range(4):
                assert chat(url, FREE_MODEL).status_code == 200
    a, b = account_of("gho_account_a"), account_of("gho_account_b")
    assert sorted(served_by(emulator, 4)) == sorted([a, a, b, b])
    assert served_by(emulator, 4)[0] != served_by(emulator, 4)[1]


def test_a_run_out_account_fails_over_unseen_then_all_out_is_429_naming_the_credits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Each account's credits run out on its first paid answer (the call that crosses is served).
    emulator = CopilotEmulator(EmulatorConfig(monthly_credits={"max": 1e-6}))
    entries = accounts(tmp_path, a="gho_account_a", b="gho_account_b")
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(emulator_url, github_token=None, accounts=entries)
        with running(gateway_app(settings)) as url:
            before = scrape(url)
            first, second, third = (chat(url, PREMIUM_MODEL) for _ in range(3))
            after = scrape(url)
    # Premium models go to the accounts in their configured order: a, then b once a is out.
    assert first.status_code == second.status_code == 200
    assert [q.credits.spent() for q in emulator.state.quotas.values()] == [True, True]
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "insufficient_quota"

    def delta(account: str, event: str) -> float:
        labels = {"account": account, "event": event}
        name = "gateway_copilot_account_events_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("b", "failover") == 1  # the second request, moved on from a
    # The third: a rests until its month resets, so only b is asked; then both are out.
    assert delta("a", "failover") == 0
    assert delta("a", "credits_spent") == 1 and delta("b", "credits_spent") == 1
    assert "monthly AI credits of every Copilot account are spent" in third.text
    assert delta("a", "request") == 1 and delta("b", "request") == 1
    # Neither account's token shows in a log line, a metric or an answer.
    seen = caplog.text + third.text + str(after)
    assert "gho_account" not in seen


def test_a_model_only_some_plans_offer_is_served_by_those_accounts(tmp_path: Path) -> None:
    emulator = CopilotEmulator()
    entries = accounts(tmp_path, free="gho_free_account", paid="gho_paid_account")
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(emulator_url, github_token=None, accounts=entries)
        with running(gateway_app(settings)) as url:
            listed = httpx.get(f"{url}/v1/models", headers=AUTH).json()["data"]
            for _ in range(3):
                assert chat(url, PREMIUM_MODEL).status_code == 200
    assert "claude-sonnet-4" in {model["id"] for model in listed}
    assert set(served_by(emulator, 3)) == {account_of("gho_paid_account")}


def test_usage_lists_every_account_and_no_token(tmp_path: Path, emulator_url: str) -> None:
    entries = accounts(tmp_path, free="gho_free_secret_1", paid="gho_paid_secret_2")
    config = tmp_path / "gateway.toml"
    config.write_text(
        "".join(
            f'[[accounts]]\nname = "{e["name"]}"\ntoken_file = "{e["token_file"]}"\n'
            for e in entries
        )
    )
    env = clean_env(GATEWAY_GITHUB_API_URL=emulator_url)
    done = subprocess.run(
        [*COMMAND, "usage", "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    accounts_table, quotas_table = done.stdout.split("\n\n")
    plans = {row[0]: row[1] for row in (line.split() for line in accounts_table.splitlines())}
    assert plans == {"account": "plan", "free": "free", "paid": "max"}
    premium = {
        row[0]: row[2]
        for row in (line.split() for line in quotas_table.splitlines())
        if row[1] == "premium_interactions"
    }
    assert premium == {"free": "50", "paid": "20000"}  # AI credits a month, by plan
    assert "secret" not in done.stdout + done.stderr


def test_two_accounts_with_one_name_are_refused_at_start(tmp_path: Path) -> None:
    entries = accounts(tmp_path, a="gho_one") + accounts(tmp_path / "..", a="gho_two")
    env = clean_env(GATEWAY_ACCOUNTS=__import__("json").dumps(entries))
    done = subprocess.run(
        [*COMMAND, "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "two Copilot accounts are named a" in done.stderr
    assert "gho_" not in done.stderr


def test_a_continued_conversation_stays_on_the_account_that_started_it(tmp_path: Path) -> None:
    emulator = CopilotEmulator()
    entries = accounts(tmp_path, a="gho_account_a", b="gho_account_b")
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(
            emulator_url,
            github_token=None,
            accounts=entries,
            responses_db=tmp_path / "responses.sqlite3",
        )
        with serving(settings) as url:
            # gpt-5-mini costs no premium requests (round-robin) and is served on /responses
            # natively: its answers carry reasoning only their account can read back.
            def respond(**extra: object) -> dict:
                body = {"model": "gpt-5-mini", "input": "Plan a trip", **extra}
                answer = httpx.post(f"{url}/v1/responses", json=body, headers=AUTH, timeout=30)
                assert answer.status_code == 200, answer.text
                return answer.json()

            first = respond()
            started_on = served_by(emulator, 1)[0]
            for _ in range(3):
                respond(previous_response_id=first["id"])
                assert served_by(emulator, 1) == [started_on]
            respond()  # a new conversation: the round goes on to the other account
            assert served_by(emulator, 1) != [started_on]


def test_an_account_whose_exchange_fails_rests_named_not_by_its_token_and_serves_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="copilot_gateway.upstreams.copilot.pool")
    emulator = CopilotEmulator()
    emulator.state.refused_exchanges.add("gho_account_a")  # GitHub refuses a's token now
    entries = accounts(tmp_path, a="gho_account_a", b="gho_account_b")
    a, b = account_of("gho_account_a"), account_of("gho_account_b")
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(
            emulator_url, github_token=None, accounts=entries, account_cooldown_seconds=1
        )
        with running(gateway_app(settings)) as url:
            answers = [chat(url, FREE_MODEL) for _ in range(4)]
            assert [answer.status_code for answer in answers] == [200] * 4
            assert served_by(emulator, 4) == [b] * 4  # a rests, b serves every one
            rests = [r.getMessage() for r in caplog.records if "rests" in r.getMessage()]
            assert rests and "'a'" in rests[0] and "copilot_token_exchange_failed" in rests[0]
            assert "gho_account_a" not in caplog.text  # the account's name, never its token
            emulator.state.refused_exchanges.clear()  # the exchange works again

            def a_serves_again() -> bool:
                assert chat(url, FREE_MODEL).status_code == 200
                return served_by(emulator, 1) == [a]

            assert until(a_serves_again, every=0.2)
            assert any("'a' serves again" in r.getMessage() for r in caplog.records)
