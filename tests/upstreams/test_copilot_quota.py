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
from emulated_copilot import copilot_on, record, run
from metrics_scrape import scrape, value
from servers import gateway_app, gateway_settings, running

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


def test_premium_requests_and_quota_gauges_follow_copilots_counters(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    base = str(client.base_url)
    before = scrape(base)
    for body in (PREMIUM, PREMIUM, AGENT_TURN, {**PREMIUM, "model": "gpt-4o"}):
        assert client.post("/v1/chat/completions", json=body).status_code == 200
    after = scrape(base)
    quota = account(emulator)
    # two user turns on a premium model; agent turns and gpt-4o are free
    assert quota.premium.used == 2
    spent = value(
        after, "gateway_copilot_premium_requests_total", account="default", model="claude-sonnet-4"
    ) - value(
        before, "gateway_copilot_premium_requests_total", account="default", model="claude-sonnet-4"
    )
    assert spent == 2
    labels = {"account": "default", "quota": "premium_interactions"}
    # The account is billed in AI credits: its premium_interactions snapshot counts them.
    assert value(after, "gateway_copilot_quota", **labels, field="entitlement") == 20000
    assert value(after, "gateway_copilot_quota", **labels, field="percent_remaining") == (
        quota.credits.percent_left()
    )
    assert value(after, "gateway_copilot_quota", **labels, field="reset_timestamp_seconds") > 0


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
        assert httpx.get(f"{url}/quota").status_code == 401
        ok = httpx.get(f"{url}/quota", headers={"Authorization": "Bearer scrape-secret"})
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
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0][:4] == ["account", "plan", "quota", "entitlement"]
    premium = next(row for row in rows if row[2] == "premium_interactions")
    credits = account(emulator).credits
    left, percent = str(round(credits.left(), 4)), str(credits.percent_left())
    assert premium[:6] == ["default", "max", "premium_interactions", "20000", left, percent]
    assert any(row[2] == "chat" and row[3] == "unlimited" for row in rows)
    assert GITHUB_TOKEN not in done.stdout + done.stderr


def test_a_run_out_quota_is_429_insufficient_quota() -> None:
    # The credits run out on the first paid answer (the call that crosses is served).
    emulator = CopilotEmulator(EmulatorConfig(monthly_credits={"max": 1e-6}))
    with (
        running(emulator.app) as emulator_url,
        running(gateway_app(gateway_settings(emulator_url))) as url,
    ):
        auth = {"Authorization": "Bearer sk-test-key"}
        first = httpx.post(f"{url}/v1/chat/completions", json=PREMIUM, headers=auth)
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
        return await copilot.quota_summary()

    before = user_info_timings()
    entry = run(copilot_on(emulator, account="quota-unit"), summary)
    assert user_info_timings() - before == 1
    assert (entry["account"], entry["plan"]) == ("quota-unit", "max")
    assert entry["quotas"]["premium_interactions"]["entitlement"] == 20000
    assert "premium_interactions" in entry["latest_snapshots"]
