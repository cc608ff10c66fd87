"""Copilot's quota, in sight: gauges, `GET /quota`, `copilot-gateway usage`, premium requests."""

from __future__ import annotations

import subprocess

import httpx
from prometheus_client import REGISTRY

from commands import COMMAND, clean_env
from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig
from copilot_gateway.surfaces.openai.endpoints import CHAT
from copilot_gateway.upstreams.base import Json
from copilot_gateway.upstreams.copilot.upstream import CopilotUpstream
from copilot_gateway.upstreams.copilot.usage_table import ACCOUNT_COLUMNS
from emulated_copilot import copilot_on, record, run
from metrics_scrape import Samples, scrape, value
from servers import gateway_app, gateway_settings, running, until

AUTH = {"Authorization": "Bearer sk-test-key"}
GITHUB_TOKEN = "gho_test_github_token"  # the token of `gateway_settings`
PREMIUM = {"model": "claude-sonnet-4", "messages": [{"role": "user", "content": "hi"}]}
AGENT_TURN = {
    "model": "claude-sonnet-4",
    "messages": [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
    ],
}


def account(emulator: CopilotEmulator):  # type: ignore[no-untyped-def]
    (quota,) = emulator.state.quotas.values()
    return quota


def premium_requests(samples: Samples, account: str = "default") -> float:
    return value(
        samples, "gateway_copilot_premium_requests_total", account=account, model="claude-sonnet-4"
    )


def test_quota_gauges_follow_copilots_counters_and_credits_cost_no_premium_requests(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    base = str(client.base_url)
    before = scrape(base)
    for body in (PREMIUM, PREMIUM, AGENT_TURN, {**PREMIUM, "model": "gpt-4o"}):
        assert client.post("/v1/chat/completions", json=body).status_code == 200
    after = scrape(base)
    quota = account(emulator)
    # The account is billed in AI credits: no premium requests are counted for it.
    assert premium_requests(after) - premium_requests(before) == 0
    labels = {"account": "default", "quota": "premium_interactions"}
    # Its premium_interactions snapshot counts the credits.
    assert value(after, "gateway_copilot_quota", **labels, field="entitlement") == 20000
    assert value(after, "gateway_copilot_quota", **labels, field="percent_remaining") == (
        quota.credits.percent_left()
    )
    assert value(after, "gateway_copilot_quota", **labels, field="total_remaining") == round(
        quota.credits.left(), 4
    )
    assert value(after, "gateway_copilot_quota", **labels, field="reset_timestamp_seconds") > 0
    window = {"account": "default", "window": "session"}
    assert value(after, "gateway_copilot_window", **window, field="percent_remaining") == round(
        quota.session.percent_left(), 1
    )


def test_an_account_billed_in_premium_requests_counts_them(emulator_url: str) -> None:
    """`gho_legacy…` is a seat still billed in premium requests (`token_based_billing`
    false): its user turns on a premium model count; agent turns and free models do not."""
    settings = gateway_settings(emulator_url, github_token="gho_legacy_seat")
    with running(gateway_app(settings)) as url:
        before = scrape(url)
        for body in (PREMIUM, PREMIUM, AGENT_TURN, {**PREMIUM, "model": "gpt-4o"}):
            answer = httpx.post(f"{url}/v1/chat/completions", json=body, headers=AUTH, timeout=30)
            assert answer.status_code == 200
        # Counted once the account's billing is read, in the background: wait for the count.
        assert until(lambda: premium_requests(scrape(url)) - premium_requests(before) >= 2)
        after = scrape(url)
    assert premium_requests(after) - premium_requests(before) == 2


def test_the_quota_endpoint_reports_githubs_view_and_the_latest_snapshots(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    assert client.post("/v1/chat/completions", json=PREMIUM).status_code == 200
    report = httpx.get(f"{client.base_url}/quota").json()
    (entry,) = report["data"]
    premium = entry["quotas"]["premium_interactions"]
    assert (entry["account"], entry["plan"]) == ("default", "max")
    credits = account(emulator).credits
    assert (premium["entitlement"], premium["remaining"]) == (20000, round(credits.left(), 4))
    assert entry["latest_snapshots"]["premium_interactions"]["percent_remaining"] == (
        credits.percent_left()
    )
    assert GITHUB_TOKEN not in str(report)


def test_the_quota_endpoint_is_behind_the_metrics_token(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, metrics_token="scrape-secret")
    with running(gateway_app(settings)) as url:
        assert httpx.get(f"{url}/quota", timeout=30).status_code == 401
        scraper = {"Authorization": "Bearer scrape-secret"}
        ok = httpx.get(f"{url}/quota", headers=scraper, timeout=30)
        assert ok.status_code == 200 and ok.json()["data"][0]["plan"] == "max"


def test_usage_prints_each_quota_of_the_account_and_never_its_token(
    client: httpx.Client, emulator: CopilotEmulator, emulator_url: str
) -> None:
    assert client.post("/v1/chat/completions", json=PREMIUM).status_code == 200
    env = clean_env(GITHUB_TOKEN=GITHUB_TOKEN, GATEWAY_GITHUB_API_URL=emulator_url)
    done = subprocess.run(
        [*COMMAND, "usage"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    accounts_table, quotas_table = done.stdout.split("\n\n")
    header, default = (line.split() for line in accounts_table.splitlines())
    assert header == list(ACCOUNT_COLUMNS)
    credits = account(emulator).credits
    used, left = f"{round(credits.used, 4):g}", f"{round(credits.left(), 4):g}"
    assert default[:5] == ["default", "max", "credits", used, left]
    # The windows, from the free call `usage` made to read them (it cost no credits).
    session, weekly = account(emulator).session, account(emulator).weekly
    assert float(default[6].removesuffix("%")) == round(session.percent_left(), 1)
    assert float(default[8].removesuffix("%")) == round(weekly.percent_left(), 1)
    assert default[7].endswith("Z") and default[9].endswith("Z")
    # That call was the agent's (to a free model): it counted no premium request either.
    probe = [seen for seen in emulator.state.seen_headers if "x-initiator" in seen][-1]
    assert probe["x-initiator"] == "agent"
    rows = [line.split() for line in quotas_table.splitlines()]
    assert rows[0][:3] == ["account", "quota", "entitlement"]
    premium = next(row for row in rows if row[1] == "premium_interactions")
    assert premium[:4] == ["default", "premium_interactions", "20000", left]
    assert any(row[1] == "chat" and row[2] == "unlimited" for row in rows)
    assert GITHUB_TOKEN not in done.stdout + done.stderr


def test_a_run_out_quota_is_429_insufficient_quota() -> None:
    # The credits run out on the first paid answer (the call that crosses is served).
    emulator = CopilotEmulator(EmulatorConfig(monthly_credits={"max": 1e-6}))
    with (
        running(emulator.app) as emulator_url,
        running(gateway_app(gateway_settings(emulator_url))) as url,
    ):
        auth = {"Authorization": "Bearer sk-test-key"}
        first = httpx.post(f"{url}/v1/chat/completions", json=PREMIUM, headers=auth, timeout=30)
        second = httpx.post(f"{url}/v1/chat/completions", json=PREMIUM, headers=auth)
        free = httpx.post(
            f"{url}/v1/chat/completions", json={**PREMIUM, "model": "gpt-4o"}, headers=auth
        )
    assert first.status_code == 200 and free.status_code == 200
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "insufficient_quota"
    assert int(second.headers["retry-after"]) > 0


def user_info_timings() -> float:
    labels = {"endpoint": "/copilot_internal/user"}
    return REGISTRY.get_sample_value("gateway_upstream_duration_seconds_count", labels) or 0.0


def test_an_accounts_quota_summary_is_fetched_like_every_other_upstream_call(
    emulator: CopilotEmulator,
) -> None:
    """Through the one send path (timed, retried, its failures ours), in-process."""

    async def summary(copilot: CopilotUpstream) -> Json:
        await copilot.call(CHAT, PREMIUM, record())
        await copilot.billing.kind()  # the premium call asked for it, in the background
        return await copilot.quota_summary()

    before = user_info_timings()
    entry = run(copilot_on(emulator, account="quota-unit"), summary)
    # Once for how the account is billed (the premium call asks, then it is kept), once for
    # the summary itself.
    assert user_info_timings() - before == 2
    assert (entry["account"], entry["plan"], entry["billing"]) == ("quota-unit", "max", "credits")
    assert entry["quotas"]["premium_interactions"]["entitlement"] == 20000
    assert "premium_interactions" in entry["latest_snapshots"]
