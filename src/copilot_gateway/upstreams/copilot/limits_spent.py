"""Spent limits as errors: the kinds of Copilot's refusals for a spent window (which
window a refusal names), and the 429 the client gets when every account is out. The
per-account state they are read into is `windows`.

    Copilot answers                        the window
    429 user_global_rate_limited:<plan>    session
    429 user_weekly_rate_limited           weekly
    402 (quota_exceeded, ...)              credits
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from ...errors import GatewayError, QuotaExhausted, RateLimited

WINDOW_NAMES = {
    "session": "5-hour session limit",
    "weekly": "weekly limit",
    "credits": "monthly AI credits",
}
# Beyond this wait, clients are told not to retry (x-should-retry: false): their SDKs' own
# short backoffs would only repeat the refusal, and the message says when to come back.
SHORT_WAIT_SECONDS = 60


class SessionLimited(RateLimited):
    """Copilot's 5-hour session window of this account (or of every account) is spent."""

    window = "session"
    code = "session_limit_exceeded"


class WeeklyLimited(RateLimited):
    """The weekly window is spent."""

    window = "weekly"
    code = "weekly_limit_exceeded"


class CreditsSpent(QuotaExhausted):
    """The month's AI credits (premium requests on legacy billing) are spent."""

    window = "credits"


SPENT = (SessionLimited, WeeklyLimited, CreditsSpent)
Spent = SessionLimited | WeeklyLimited | CreditsSpent
SPENT_BY_WINDOW: dict[str, type[Spent]] = {kind.window: kind for kind in SPENT}


def spent_window(error: GatewayError) -> str | None:
    """The window a Copilot refusal says is spent (Copilot matches on the code's head too)."""
    head = (error.code or "").partition(":")[0]
    if error.status == 402:
        return "credits"
    if error.status == 429 and head == "user_global_rate_limited":
        return "session"
    if error.status == 429 and head == "user_weekly_rate_limited":
        return "weekly"
    return None


def iso_time(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(round(timestamp), datetime.UTC)
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Rest:
    """An account out of a window until a Unix time."""

    account: str
    window: str
    until: float


def all_spent(rests: list[Rest], now: float) -> GatewayError:
    """Every account is out: a 429 that names the window(s) and waits for the first reset."""
    earliest = min(rests, key=lambda rest: rest.until)
    seconds = max(math.ceil(earliest.until - now), 1)
    windows = sorted({rest.window for rest in rests}, key=list(WINDOW_NAMES).index)
    whose = "every Copilot account" if len(rests) > 1 else "the Copilot account"
    if len(windows) == 1:
        verb = "are" if windows[0] == "credits" else "is"
        what = f"The {WINDOW_NAMES[windows[0]]} of {whose} {verb} spent"
    else:
        counts = ", ".join(
            f"{sum(rest.window == window for rest in rests)} on the {WINDOW_NAMES[window]}"
            for window in windows
        )
        what = f"Every Copilot account is out ({counts})"
    headers = {"retry-after": str(seconds)}
    if seconds > SHORT_WAIT_SECONDS:
        headers["x-should-retry"] = "false"
    message = f"{what}; the earliest resets at {iso_time(earliest.until)} (in {seconds} s)."
    return SPENT_BY_WINDOW[earliest.window](message, headers=headers)
