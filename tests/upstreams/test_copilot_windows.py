"""Copilot's windows (the 5-hour session, the week, the month's credits) and how the pool
routes on them (see `upstreams.copilot.windows` and `pool`): in-process against the
emulator, its refusals injected as faults. Over HTTP, through a gateway: `test_windows_http`."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlencode

import orjson
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.errors import GatewayError, QuotaExhausted, RateLimited
from copilot_gateway.surfaces.openai.endpoints import CHAT
from copilot_gateway.upstreams.base import Json
from copilot_gateway.upstreams.copilot.pool import CopilotPool
from copilot_gateway.upstreams.copilot.snapshots import parse_snapshot
from copilot_gateway.upstreams.copilot.windows import (
    CreditsSpent,
    SessionLimited,
    WeeklyLimited,
    iso_time,
    spent_window,
)
from emulated_copilot import pool_on, record, served_by

TOKENS = {"a": "gho_account_a", "b": "gho_account_b"}
# A premium model goes to the accounts in their order: a first, while it can serve.
PREMIUM: Json = {"model": "claude-sonnet-4", "messages": [{"role": "user", "content": "hi"}]}
SESSION_BODY = {
    "error": {
        "message": "Sorry, you've exceeded your 5 hour session limits. Please review our "
        "Terms of Service.",
        "code": "user_global_rate_limited:pro",
    }
}
WEEKLY_BODY = {
    "error": {
        "message": "Sorry, you've exceeded your weekly rate limit. Please review our Terms of "
        "Service.",
        "code": "user_weekly_rate_limited",
    }
}
CREDITS_BODY = {"error": {"message": "You have no AI credits left.", "code": "quota_exceeded"}}


def refusal(status: int, body: Json, retry_after: int | None = None) -> Fault:
    headers = {"x-ratelimit-exceeded": "global-chat"}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    return Fault(status=status, body=orjson.dumps(body).decode(), headers=headers)


def window_header(rem: float, reset: float) -> str:
    return urlencode({"ent": 0, "ov": "0.0", "ovPerm": "false", "rem": rem, "rst": iso_time(reset)})


def served_with_headers(headers: dict[str, str]) -> Fault:
    """A chat answer served (the call that crosses a limit is), with these headers."""
    answer = {"id": "c", "object": "chat.completion", "created": 0, "model": "m", "choices": []}
    return Fault(status=200, body=orjson.dumps(answer).decode(), headers=headers)


def calls(emulator: CopilotEmulator, faults: list[Fault], count: int) -> list[str | GatewayError]:
    """`count` premium chat calls through a pool of a and b, after these faults: who served
    each, or the error the caller got."""

    async def work(pool: CopilotPool) -> list[str | GatewayError]:
        try:
            await pool.models()  # the catalogues first: faults are for the calls
            emulator.state.faults.extend(faults)
            outcomes: list[str | GatewayError] = []
            for _ in range(count):
                try:
                    await pool.call(CHAT, PREMIUM, record())
                except GatewayError as error:
                    outcomes.append(error)
                else:
                    outcomes.append(served_by(emulator, TOKENS))
            return outcomes
        finally:
            await pool.aclose()

    return asyncio.run(work(pool_on(emulator, TOKENS)))


def test_window_headers_read_percent_left_reset_and_total_remaining() -> None:
    snapshot = parse_snapshot("ent=0&ov=0.0&ovPerm=false&rem=12.5&rst=2026-04-22T14%3A30%3A56Z")
    assert (snapshot.percent_remaining, snapshot.reset) == (12.5, "2026-04-22T14:30:56Z")
    assert snapshot.reset_timestamp() == 1776868256.0
    assert snapshot.total_remaining is None
    quota = parse_snapshot("ent=10000000&rem=97.2&rst=2026-09-01T00%3A00%3A00Z&totRem=9719759.1")
    assert quota.total_remaining == 9719759.1
    # A value without `rem` says nothing spent.
    assert parse_snapshot("rst=2026-04-22T14%3A30%3A56Z").percent_remaining == 100.0


@pytest.mark.parametrize(
    ("status", "code", "window"),
    [
        (429, "user_global_rate_limited:pro_plus", "session"),
        (429, "user_global_rate_limited:edu", "session"),
        (429, "user_weekly_rate_limited", "weekly"),
        (402, "quota_exceeded", "credits"),
        (402, "overage_limit_reached", "credits"),
        (429, "user_model_rate_limited", None),
        (429, "rate_limited", None),
    ],
)
def test_a_refusal_names_its_window_by_its_code(status: int, code: str, window: str | None) -> None:
    assert spent_window(GatewayError("x", status=status, code=code)) == window


def test_a_session_refusal_moves_on_unseen_and_the_account_rests(
    emulator: CopilotEmulator,
) -> None:
    outcomes = calls(emulator, [refusal(429, SESSION_BODY, retry_after=3600)], 3)
    # a refused the first call; b served it, and the next ones: a rests, never asked.
    assert outcomes == ["b", "b", "b"]
    calls_to_a = [h for h in emulator.state.seen_headers if "x-initiator" in h]
    assert len(calls_to_a) == 4  # the refused one and three served


def test_an_account_whose_header_says_spent_is_not_asked_again(
    emulator: CopilotEmulator,
) -> None:
    reset = time.time() + 5 * 3600
    crossing = served_with_headers({"x-usage-ratelimit-session": window_header(0, reset)})
    outcomes = calls(emulator, [crossing], 3)
    assert outcomes == ["a", "b", "b"]  # a served the call that crossed its limit, then rests


def test_every_account_out_is_a_429_naming_the_window_with_the_earliest_reset(
    emulator: CopilotEmulator,
) -> None:
    faults = [refusal(429, SESSION_BODY, 7200), refusal(429, SESSION_BODY, 3600)]
    *_, error = calls(emulator, faults, 2)
    assert isinstance(error, SessionLimited) and isinstance(error, RateLimited)
    assert (error.status, error.code) == (429, "session_limit_exceeded")
    assert error.message.startswith(
        "The 5-hour session limit of every Copilot account is spent; the earliest resets at "
    )
    assert 3590 <= int(error.headers["retry-after"]) <= 3600
    assert error.headers["x-should-retry"] == "false"
    asked = len([h for h in emulator.state.seen_headers if "x-initiator" in h])
    assert asked == 2  # the second call was answered by the pool: both accounts rest


def test_a_weekly_refusal_rests_until_the_weeks_reset(emulator: CopilotEmulator) -> None:
    week = time.time() + 3 * 86400
    spent = served_with_headers({"x-usage-ratelimit-weekly": window_header(0, week)})
    outcomes = calls(emulator, [refusal(429, WEEKLY_BODY), spent], 3)
    assert outcomes[:1] == ["b"]
    error = outcomes[2]
    assert isinstance(error, WeeklyLimited)
    assert "The weekly limit of every Copilot account is spent" in error.message
    # No retry-after from Copilot: each rests until its week's reset (a: not known, 5 min).
    assert 290 <= int(error.headers["retry-after"]) <= 300


def test_spent_credits_rest_until_the_month_and_the_last_says_so(
    emulator: CopilotEmulator,
) -> None:
    faults = [refusal(402, CREDITS_BODY, 86400), refusal(402, CREDITS_BODY, 90000)]
    *_, error = calls(emulator, faults, 2)
    assert isinstance(error, CreditsSpent) and isinstance(error, QuotaExhausted)
    assert error.code == "insufficient_quota"
    assert "monthly AI credits of every Copilot account are spent" in error.message
    assert 86390 <= int(error.headers["retry-after"]) <= 86400


def test_a_rested_account_serves_again_once_its_window_resets(
    emulator: CopilotEmulator,
) -> None:
    async def work(pool: CopilotPool) -> list[str]:
        try:
            await pool.models()
            emulator.state.faults.append(refusal(429, SESSION_BODY, 60))
            await pool.call(CHAT, PREMIUM, record())
            first = served_by(emulator, TOKENS)
            later = time.time() + 61
            for member in pool.members:
                member.windows.clock = lambda: later  # an hour's wait, without the wait
            await pool.call(CHAT, PREMIUM, record())
            return [first, served_by(emulator, TOKENS)]
        finally:
            await pool.aclose()

    assert asyncio.run(work(pool_on(emulator, TOKENS))) == ["b", "a"]


def test_accounts_out_on_different_windows_are_each_named(emulator: CopilotEmulator) -> None:
    faults = [refusal(429, SESSION_BODY, 7200), refusal(429, WEEKLY_BODY, 86400)]
    *_, error = calls(emulator, faults, 2)
    assert isinstance(error, SessionLimited)  # the kind of the window that resets first
    assert error.message.startswith(
        "Every Copilot account is out (1 on the 5-hour session limit, 1 on the weekly limit); "
        "the earliest resets at "
    )
    assert 7190 <= int(error.headers["retry-after"]) <= 7200
