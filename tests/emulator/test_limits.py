"""Copilot's refusals when an allowance is spent, and the test hooks that get an account
there: the session window (429 `user_global_rate_limited:<plan>`), the weekly window (429
`user_weekly_rate_limited`), the month's credits (402 `quota_exceeded`), first that applies;
the call that crosses a limit is served, the next refused, until the window ends."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator

from .conftest import copilot_of
from .streaming_calls import CALLS

pytestmark = pytest.mark.anyio
TOKEN = "gho_limited_account"  # the catch-all plan, `max`
PAID = {"model": "claude-sonnet-4.6", "messages": [{"role": "user", "content": "hi"}]}
FREE = {**PAID, "model": "gpt-4o"}
SESSION_MESSAGE = (
    "Sorry, you've exceeded your 5 hour session limits. Please review our Terms of Service."
)
WEEKLY_MESSAGE = (
    "Sorry, you've exceeded your weekly rate limit. Please review our Terms of Service."
)


def reset_in(response: httpx.Response, header: str) -> float:
    rst = parse_qs(response.headers[header])["rst"][0]
    now = datetime.datetime.now(datetime.UTC)
    return (datetime.datetime.fromisoformat(rst) - now).total_seconds()


async def test_a_spent_session_window_is_429_until_it_ends(emulator: CopilotEmulator) -> None:
    async with copilot_of(emulator, TOKEN) as client:
        served = await client.post("/chat/completions", json=PAID)
        emulator.put_near_limit(TOKEN, "session", 0)
        refused = await client.post("/chat/completions", json=PAID)
        also_free = await client.post("/chat/completions", json=FREE)
        emulator.end_window(TOKEN, "session")
        again = await client.post("/chat/completions", json=PAID)
    assert served.status_code == 200 and again.status_code == 200
    assert refused.status_code == also_free.status_code == 429
    assert refused.json() == {
        "error": {"message": SESSION_MESSAGE, "code": "user_global_rate_limited:max"}
    }
    retry_after = int(refused.headers["retry-after"])
    assert abs(retry_after - reset_in(served, "x-usage-ratelimit-session")) <= 2
    assert refused.headers["x-ratelimit-exceeded"]
    assert "x-quota-snapshot-premium_interactions" not in refused.headers


async def test_the_call_that_crosses_a_limit_is_served(emulator: CopilotEmulator) -> None:
    emulator.put_near_limit(TOKEN, "session", 1e-9)  # less than any paid answer costs
    async with copilot_of(emulator, TOKEN) as client:
        crossing = await client.post("/chat/completions", json=PAID)
        after = await client.post("/chat/completions", json=PAID)
    assert crossing.status_code == 200
    assert parse_qs(crossing.headers["x-usage-ratelimit-session"])["rem"] == ["0.0"]
    assert after.status_code == 429


async def test_a_spent_weekly_window_is_429_weekly(emulator: CopilotEmulator) -> None:
    emulator.put_near_limit(TOKEN, "weekly", 0)
    async with copilot_of(emulator, TOKEN) as client:
        refused = await client.post("/chat/completions", json=PAID)
    assert refused.status_code == 429
    assert refused.json() == {
        "error": {"message": WEEKLY_MESSAGE, "code": "user_weekly_rate_limited"}
    }
    assert 6 * 86400 < int(refused.headers["retry-after"]) <= 7 * 86400
    assert refused.headers["x-ratelimit-exceeded"]


async def test_the_session_window_is_named_before_the_weekly_one(
    emulator: CopilotEmulator,
) -> None:
    emulator.put_near_limit(TOKEN, "weekly", 0)
    emulator.put_near_limit(TOKEN, "session", 0)
    async with copilot_of(emulator, TOKEN) as client:
        refused = await client.post("/chat/completions", json=PAID)
    assert refused.json()["error"]["code"] == "user_global_rate_limited:max"


async def test_spent_credits_are_402_for_paid_models_only(emulator: CopilotEmulator) -> None:
    emulator.put_near_limit(TOKEN, "credits", 0)
    async with copilot_of(emulator, TOKEN) as client:
        refused = await client.post("/chat/completions", json=PAID)
        free = await client.post("/chat/completions", json=FREE)
        emulator.end_window(TOKEN, "credits")
        again = await client.post("/chat/completions", json=PAID)
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "quota_exceeded"
    assert set(refused.json()["error"]) == {"message", "code"}
    assert int(refused.headers["retry-after"]) > 0
    assert free.status_code == 200 and again.status_code == 200


async def test_a_legacy_seat_is_402_when_its_premium_requests_run_out(
    emulator: CopilotEmulator,
) -> None:
    emulator.put_near_limit("gho_legacy_seat", "credits", 1)  # one premium request left
    async with copilot_of(emulator, "gho_legacy_seat") as client:
        served = await client.post("/chat/completions", json=PAID)
        refused = await client.post("/chat/completions", json=PAID)
    assert served.status_code == 200
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "quota_exceeded"


@pytest.mark.parametrize("endpoint", ["responses", "messages"])
async def test_every_data_plane_endpoint_refuses_alike(
    emulator: CopilotEmulator, endpoint: str
) -> None:
    call = CALLS[endpoint]
    body = {**call.body, "model": {"responses": "gpt-5.4", "messages": "claude-opus-4.8"}[endpoint]}
    async with copilot_of(emulator, TOKEN) as client:
        served = await client.post(call.path, json=body, headers=call.headers)
        emulator.put_near_limit(TOKEN, "session", 0)
        refused = await client.post(call.path, json=body, headers=call.headers)
    assert served.status_code == 200
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "user_global_rate_limited:max"


async def test_the_spent_window_is_the_accounts_alone(emulator: CopilotEmulator) -> None:
    emulator.put_near_limit(TOKEN, "session", 0)
    async with copilot_of(emulator, "gho_another_account") as client:
        assert (await client.post("/chat/completions", json=PAID)).status_code == 200


async def test_an_unknown_window_is_a_clear_error(emulator: CopilotEmulator) -> None:
    with pytest.raises(ValueError, match="session, weekly, credits"):
        emulator.put_near_limit(TOKEN, "daily", 0)
