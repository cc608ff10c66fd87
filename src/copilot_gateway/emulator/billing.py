"""The two steps every data-plane call (`/chat/completions`, `/responses`, `/v1/messages`)
takes with its account: refused before it is served if an allowance is spent, billed once
it is served.

Refusals, the first that applies (reference §2.5; the call that crosses a limit is served,
the next one is refused):
- the 5-hour session window spent: 429 `user_global_rate_limited:<plan>`;
- the weekly window spent: 429 `user_weekly_rate_limited`;
  both with `retry-after` (seconds to the window's reset) and `x-ratelimit-exceeded`;
- the month's AI credits spent, for a model that costs any: 402 `quota_exceeded` (a legacy
  seat: its premium requests, for a premium model on a person's turn).
"""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response

from . import credits, quota_wire
from .credits import Tokens
from .quota import Account, Window
from .wire import json_response

SESSION_LIMITED = (
    "Sorry, you've exceeded your 5 hour session limits. Please review our Terms of Service."
)
WEEKLY_LIMITED = (
    "Sorry, you've exceeded your weekly rate limit. Please review our Terms of Service."
)
CREDITS_SPENT = (
    "You have exceeded your monthly AI credits. Upgrade your plan or wait for the reset."
)
PREMIUM_SPENT = "You have exceeded your premium request allowance."
COPILOT_ERROR_TYPE = "text/plain; charset=utf-8"  # Copilot's errors are JSON sent as text


def _refused(
    status: int, message: str, code: str, window: Window, extra: dict[str, str]
) -> Response:
    answer = json_response(
        {"error": {"message": message, "code": code}}, status, COPILOT_ERROR_TYPE
    )
    answer.headers.update({"retry-after": str(window.seconds_left(time.time())), **extra})
    return answer


def is_billed(model: dict[str, Any]) -> bool:
    return bool((model.get("billing") or {}).get("token_prices"))


def premium_requests(model: dict[str, Any], person: bool) -> float:
    """What a legacy seat is charged: the multiplier of a premium model, on a person's turn
    (agents' turns are free)."""
    billing = model.get("billing") or {}
    return float(billing.get("multiplier", 0)) if billing.get("is_premium") and person else 0.0


def refusal(account: Account, model: dict[str, Any], premium: float) -> Response | None:
    account.roll()
    plan = account.plan
    tag = f"COPILOT_PLAN_{plan.upper()}"
    if account.session.spent():
        exceeded = {"x-ratelimit-exceeded": f"global-chat:session-5h:userID:{tag}"}
        code = f"user_global_rate_limited:{plan}"
        return _refused(429, SESSION_LIMITED, code, account.session, exceeded)
    if account.weekly.spent():
        exceeded = {"x-ratelimit-exceeded": f"global-chat:weekly:userID:{tag}"}
        return _refused(429, WEEKLY_LIMITED, "user_weekly_rate_limited", account.weekly, exceeded)
    if account.seat.token_based_billing:
        if is_billed(model) and account.credits.spent():
            return _refused(402, CREDITS_SPENT, "quota_exceeded", account.credits, {})
    elif premium > account.premium.left():
        return _refused(402, PREMIUM_SPENT, "quota_exceeded", account.premium, {})
    return None


def settle(
    account: Account, model: dict[str, Any], tokens: Tokens, premium: float
) -> tuple[dict[str, Any], dict[str, str]]:
    """Bill a served answer: its `copilot_usage`, and the headers that report the account
    after it."""
    usage = credits.copilot_usage(model, tokens)
    account.charge(credits.credits_of(usage), premium)
    return usage, quota_wire.headers(account)
