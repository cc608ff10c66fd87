"""Copilot's windows (the 5-hour session, the week, the month's credits) and how the pool
routes on them (see `upstreams.copilot.windows`, `limits_spent` and `pool`): in-process against the
emulator, its refusals injected as faults. Over HTTP, through a gateway: `test_windows_http`."""

from __future__ import annotations

import asyncio
import copy
import time
from urllib.parse import urlencode

import orjson
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.emulator.catalog import MODELS
from copilot_gateway.errors import GatewayError, QuotaExhausted, RateLimited
from copilot_gateway.surfaces.openai.endpoints import CHAT
from copilot_gateway.upstreams.base import Json
from copilot_gateway.upstreams.copilot.limits_spent import (
    CreditsSpent,
    SessionLimited,
    WeeklyLimited,
    iso_time,
    spent_window,
)
from copilot_gateway.upstreams.copilot.pool import CopilotPool
from copilot_gateway.upstreams.copilot.snapshots import parse_snapshot
from copilot_gateway.upstreams.copilot.windows import UNKNOWN_RESET_SECONDS
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


def assert_waits(retry_after: str, wait: float, before: float, after: float) -> None:
    """`retry-after` of a rest of `wait` seconds that began between the clock readings
    `before` and `after` (taken around the calls): at most the wait, and at least the wait
    less the time the calls took. Bounds from the clock, not a guess at the machine's pace."""
    assert wait - (after - before) <= int(retry_after) <= wait


def assert_resets_at(retry_after: str, reset: float, before: float, after: float) -> None:
    """`retry-after` of a rest until `reset` (a Unix time, sent to the second), answered
    between the clock readings `before` and `after`."""
    assert round(reset) - after - 1 <= int(retry_after) <= round(reset) - before + 1


def calls(emulator: CopilotEmulator, faults: list[Fault], count: int) -> list[str | GatewayError]:
    """`count` premium chat calls through a pool of a and b, after these faults: who served
    each, or the error the caller got."""
    return outcomes_of(emulator, TOKENS, [], faults, [PREMIUM] * count)


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
    before = time.time()
    *_, error = calls(emulator, faults, 2)
    after = time.time()
    assert isinstance(error, SessionLimited) and isinstance(error, RateLimited)
    assert (error.status, error.code) == (429, "session_limit_exceeded")
    assert error.message.startswith(
        "The 5-hour session limit of every Copilot account is spent; the earliest resets at "
    )
    assert_waits(error.headers["retry-after"], 3600, before, after)
    assert error.headers["x-should-retry"] == "false"
    asked = len([h for h in emulator.state.seen_headers if "x-initiator" in h])
    assert asked == 2  # the second call was answered by the pool: both accounts rest


def test_a_weekly_refusal_without_retry_after_rests_until_the_weeks_reset(
    emulator: CopilotEmulator,
) -> None:
    week = time.time() + 3 * 86400  # a's week resets then, as its last answer said
    seen = served_with_headers({"x-usage-ratelimit-weekly": window_header(40, week)})
    later = served_with_headers({"x-usage-ratelimit-weekly": window_header(0, week + 86400)})
    before = time.time()
    outcomes = calls(emulator, [seen, refusal(429, WEEKLY_BODY), later], 3)
    after = time.time()
    assert outcomes[:2] == ["a", "b"]  # a refused the second call: b served it, and is spent
    error = outcomes[2]
    assert isinstance(error, WeeklyLimited)
    assert "The weekly limit of every Copilot account is spent" in error.message
    # No retry-after from Copilot: a rests until its week's reset, the earlier of the two.
    assert_resets_at(error.headers["retry-after"], week, before, after)


def test_a_weekly_refusal_with_no_reset_known_rests_five_minutes(
    emulator: CopilotEmulator,
) -> None:
    week = time.time() + 3 * 86400
    spent = served_with_headers({"x-usage-ratelimit-weekly": window_header(0, week)})
    before = time.time()
    outcomes = calls(emulator, [refusal(429, WEEKLY_BODY), spent], 3)
    after = time.time()
    assert outcomes[:1] == ["b"]
    error = outcomes[2]
    assert isinstance(error, WeeklyLimited)
    # Neither retry-after nor a week's reset known for a: it rests UNKNOWN_RESET_SECONDS.
    assert_waits(error.headers["retry-after"], UNKNOWN_RESET_SECONDS, before, after)


def test_spent_credits_rest_until_the_month_and_the_last_says_so(
    emulator: CopilotEmulator,
) -> None:
    faults = [refusal(402, CREDITS_BODY, 86400), refusal(402, CREDITS_BODY, 90000)]
    before = time.time()
    *_, error = calls(emulator, faults, 2)
    after = time.time()
    assert isinstance(error, CreditsSpent) and isinstance(error, QuotaExhausted)
    assert error.code == "insufficient_quota"
    assert "monthly AI credits of every Copilot account are spent" in error.message
    assert_waits(error.headers["retry-after"], 86400, before, after)


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
    before = time.time()
    *_, error = calls(emulator, faults, 2)
    after = time.time()
    assert isinstance(error, SessionLimited)  # the kind of the window that resets first
    assert error.message.startswith(
        "Every Copilot account is out (1 on the 5-hour session limit, 1 on the weekly limit); "
        "the earliest resets at "
    )
    assert_waits(error.headers["retry-after"], 7200, before, after)


def outcomes_of(
    emulator: CopilotEmulator,
    tokens: dict[str, str],
    catalogue: list[Fault],
    faults: list[Fault],
    bodies: list[Json],
) -> list[str | GatewayError]:
    """Chat calls through a pool of these accounts: the catalogue read first (after these
    catalogue faults, one an account), then these faults, then each body: who served it, or
    the error the caller got."""

    async def work(pool: CopilotPool) -> list[str | GatewayError]:
        try:
            emulator.state.faults.extend(catalogue)
            await pool.models()
            emulator.state.faults.extend(faults)
            outcomes: list[str | GatewayError] = []
            for body in bodies:
                try:
                    await pool.call(CHAT, body, record())
                except GatewayError as error:
                    outcomes.append(error)
                else:
                    outcomes.append(served_by(emulator, tokens))
            return outcomes
        finally:
            await pool.aclose()

    return asyncio.run(work(pool_on(emulator, tokens)))


def catalogue_with_multiplier_zero(model_id: str) -> Fault:
    """Copilot's model list, this priced model listed at multiplier 0 (as a catalogue billed
    in tokens may list it): what makes a model free is no price, not the multiplier alone."""
    models = copy.deepcopy(MODELS)
    for model in models:
        if model["id"] == model_id:
            assert model["billing"].get("token_prices")
            model["billing"].update(is_premium=False, multiplier=0)
    return Fault(status=200, body=orjson.dumps({"object": "list", "data": models}).decode())


def test_spent_credits_stop_a_priced_model_at_multiplier_zero_and_not_a_free_one(
    emulator: CopilotEmulator,
) -> None:
    priced = {**PREMIUM, "model": "claude-sonnet-4.6"}
    catalogue = [catalogue_with_multiplier_zero("claude-sonnet-4.6")] * 2
    refusals = [refusal(402, CREDITS_BODY, 3600), refusal(402, CREDITS_BODY, 3600)]
    free = {**PREMIUM, "model": "gpt-4o"}
    outcomes = outcomes_of(emulator, TOKENS, catalogue, refusals, [priced, priced, free])
    asked = len([h for h in emulator.state.seen_headers if "x-initiator" in h])
    first, second, served = outcomes
    for error in (first, second):  # both accounts rest on their credits, for this model too
        assert isinstance(error, CreditsSpent)
        assert "monthly AI credits of every Copilot account are spent" in error.message
    assert asked == 3  # the two refusals and the free call: the second was the pool's answer
    assert served in TOKENS  # a model with no price and multiplier 0 is still served


def test_a_later_snapshot_with_credits_left_ends_a_credits_rest(
    emulator: CopilotEmulator,
) -> None:
    """The month reset (or credits were added): the next answer's `premium_interactions`
    snapshot says so, and the account serves the models that cost credits again."""
    month = "ent=1500&ov=0.0&ovPerm=false&rem=50&rst=2027-01-01T00%3A00%3A00Z&totRem=750"
    faults = [
        refusal(402, CREDITS_BODY, 86400),  # a's credits are spent: it rests a day
        served_with_headers({"x-quota-snapshot-premium_interactions": month}),  # a free call
    ]
    free = {**PREMIUM, "model": "gpt-4o"}
    one = {"a": TOKENS["a"]}
    spent, served_free, served_again = outcomes_of(
        emulator, one, [], faults, [PREMIUM, free, PREMIUM]
    )
    assert isinstance(spent, CreditsSpent)
    assert (served_free, served_again) == ("a", "a")
