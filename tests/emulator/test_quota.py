"""Each account's allowances, as Copilot reports them: the quota and rate-limit headers on
every successful data-plane answer (streams included), counting down as credits are spent,
and `GET /copilot_internal/user` in the 2026 shape (the earlier one for a legacy seat)."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig

from .conftest import copilot_of
from .streaming_calls import CALLS

pytestmark = pytest.mark.anyio
HEADERS = (
    "x-quota-snapshot-premium_interactions",
    "x-quota-snapshot-chat",
    "x-usage-ratelimit-session",
    "x-usage-ratelimit-weekly",
)
PAID_CHAT = {"model": "claude-sonnet-4.6", "messages": [{"role": "user", "content": "hi"}]}


def fields(response: httpx.Response, name: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(response.headers[name]).items()}


def when(value: str) -> datetime.datetime:
    assert value.endswith("Z")
    return datetime.datetime.fromisoformat(value)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("endpoint", list(CALLS))
async def test_every_answer_reports_the_quota_and_both_windows(
    copilot: httpx.AsyncClient, endpoint: str, stream: bool
) -> None:
    call = CALLS[endpoint]
    response = await copilot.post(
        call.path, json={**call.body, "stream": stream}, headers=call.headers
    )
    assert response.status_code == 200
    for name in HEADERS:
        assert name in response.headers, name
    premium = fields(response, "x-quota-snapshot-premium_interactions")
    assert set(premium) == {"ent", "ov", "ovPerm", "rem", "rst", "totRem"}
    assert fields(response, "x-quota-snapshot-chat")["ent"] == "-1"
    now = datetime.datetime.now(datetime.UTC)
    for name, longest in (("session", 5 * 3600), ("weekly", 7 * 86400)):
        window = fields(response, f"x-usage-ratelimit-{name}")
        assert (window["ent"], window["ov"], window["ovPerm"]) == ("0", "0.0", "false")
        assert 0 <= float(window["rem"]) <= 100
        assert 0 < (when(window["rst"]) - now).total_seconds() <= longest


async def test_the_counts_go_down_by_each_answers_bill(emulator: CopilotEmulator) -> None:
    emulator.config.session_credits["max"] = 10.0
    async with copilot_of(emulator, "gho_counting") as client:
        first = await client.post("/chat/completions", json=PAID_CHAT)
        second = await client.post("/chat/completions", json=PAID_CHAT)
    bill = first.json()["copilot_usage"]["total_nano_aiu"] / 1e9
    left = [
        float(fields(r, "x-quota-snapshot-premium_interactions")["totRem"]) for r in (first, second)
    ]
    assert left[0] == pytest.approx(20000 - bill, abs=1e-3)
    assert left[1] == pytest.approx(20000 - 2 * bill, abs=1e-3)
    session = [float(fields(r, "x-usage-ratelimit-session")["rem"]) for r in (first, second)]
    assert session[1] < session[0] < 100


async def test_free_models_leave_the_counts_where_they_are(copilot: httpx.AsyncClient) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    response = await copilot.post("/chat/completions", json=body)
    assert fields(response, "x-quota-snapshot-premium_interactions")["rem"] == "100.0"
    assert fields(response, "x-usage-ratelimit-session")["rem"] == "100.0"


async def test_user_info_is_the_2026_shape(
    emulator: CopilotEmulator, github: httpx.AsyncClient
) -> None:
    async with copilot_of(emulator, "gho_pro_someone") as client:
        bill = (await client.post("/chat/completions", json=PAID_CHAT)).json()["copilot_usage"]
    user = (
        await github.get(
            "/copilot_internal/user", headers={"Authorization": "token gho_pro_someone"}
        )
    ).json()
    assert (user["copilot_plan"], user["token_based_billing"]) == ("pro", True)
    assert user["quota_reset_date_utc"].endswith("Z")
    premium = user["quota_snapshots"]["premium_interactions"]
    assert premium["entitlement"] == 1500
    assert premium["credits_used"] == pytest.approx(bill["total_nano_aiu"] / 1e9, abs=1e-4)
    for key in ("overage_entitlement", "quota_reset_at", "token_based_billing", "has_quota"):
        assert key in premium
    assert user["quota_snapshots"]["chat"]["unlimited"] is True


async def test_a_legacy_seat_counts_premium_requests_in_the_earlier_shape(
    emulator: CopilotEmulator, github: httpx.AsyncClient
) -> None:
    agent_turn = {**PAID_CHAT}
    async with copilot_of(emulator, "gho_legacy_seat") as client:
        person = await client.post("/chat/completions", json=PAID_CHAT)
        agent = await client.post(
            "/chat/completions", json=agent_turn, headers={"X-Initiator": "agent"}
        )
    assert person.status_code == agent.status_code == 200
    premium = fields(agent, "x-quota-snapshot-premium_interactions")
    assert (premium["ent"], premium["totRem"]) == ("300", "299")  # agents' turns are free
    user = (
        await github.get(
            "/copilot_internal/user", headers={"Authorization": "token gho_legacy_seat"}
        )
    ).json()
    assert user["token_based_billing"] is False
    snapshot = user["quota_snapshots"]["premium_interactions"]
    assert (snapshot["entitlement"], snapshot["remaining"]) == (300, 299)
    assert "credits_used" not in snapshot


@pytest.mark.parametrize(
    ("github_token", "plan", "credits"),
    [
        ("gho_free_x", "free", 50),
        ("gho_pro_x", "pro", 1500),
        ("gho_plus_x", "pro_plus", 7000),
        ("gho_business_x", "business", 1900),
        ("gho_anything_else", "max", 20000),
    ],
)
async def test_the_tokens_prefix_names_the_plan_and_its_credits(
    github: httpx.AsyncClient, github_token: str, plan: str, credits: int
) -> None:
    auth = {"Authorization": f"token {github_token}"}
    exchange = (await github.get("/copilot_internal/v2/token", headers=auth)).json()
    user = (await github.get("/copilot_internal/user", headers=auth)).json()
    assert exchange["sku"] == user["copilot_plan"] == plan
    assert user["quota_snapshots"]["premium_interactions"]["entitlement"] == credits


async def test_a_plans_credits_are_configurable() -> None:
    emulator = CopilotEmulator(EmulatorConfig(monthly_credits={"max": 5.0}))
    async with copilot_of(emulator, "gho_small") as client:
        response = await client.post("/chat/completions", json=PAID_CHAT)
    assert fields(response, "x-quota-snapshot-premium_interactions")["ent"] == "5"


async def test_budgets_scaled_for_a_soak_serve_on_where_the_plans_own_are_spent() -> None:
    # A session window the first paid answer spends: the next is refused. Scaled (as a
    # soak runs the emulator, GATEWAY_EMULATOR_BUDGET_SCALE), the same window serves on.
    spent_at_once = EmulatorConfig(session_credits={"max": 1e-9})
    scaled = spent_at_once.budgets_times(1e12)
    statuses = {}
    for name, config in (("plan's own", spent_at_once), ("scaled", scaled)):
        async with copilot_of(CopilotEmulator(config), "gho_soak") as client:
            answers = [await client.post("/chat/completions", json=PAID_CHAT) for _ in range(3)]
        statuses[name] = [answer.status_code for answer in answers]
    assert statuses == {"plan's own": [200, 429, 429], "scaled": [200, 200, 200]}
    assert scaled.session_credits["max"] == pytest.approx(1000.0)
    assert scaled.monthly_credits["pro"] == 1500.0 * 1e12
    assert scaled.entitlements["pro"] == 300 * 10**12
