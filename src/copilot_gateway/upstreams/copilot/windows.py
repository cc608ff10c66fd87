"""Copilot's usage windows, per account: the 5-hour session and the week (each answer's
`x-usage-ratelimit-session` and `-weekly`, percent left and reset), and the month's AI
credits (`x-quota-snapshot-premium_interactions`, see `quota`).

An account whose window is spent rests until that window resets, and is not sent requests
meanwhile (each would be a certain refusal). A window is spent when its latest header says
`rem` 0 (Copilot serves the call that crosses the limit and refuses the next), or when
Copilot refuses a call for it:

    Copilot answers                        the window   the account rests until
    429 user_global_rate_limited:<plan>    session      retry-after, else the session's rst
    429 user_weekly_rate_limited           weekly       retry-after, else the week's rst
    402 (quota_exceeded, ...)              credits      retry-after, else the month's rst

A later header that shows the window with some left ends its rest early. Spent credits
stop only the models that cost credits: the free ones (multiplier 0) are still served, as
Copilot includes them in every plan (the reading the proxies use; UNCERTAIN for every plan).
"""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ...errors import GatewayError, QuotaExhausted, RateLimited
from ...observability.metrics import WINDOW
from ..retry import retry_after
from .quota import QuotaBook
from .snapshots import QuotaSnapshot, parse_snapshot

WINDOW_HEADERS = {"session": "x-usage-ratelimit-session", "weekly": "x-usage-ratelimit-weekly"}
CREDITS_QUOTA = "premium_interactions"  # the quota Copilot counts the month's credits on
WINDOW_NAMES = {
    "session": "5-hour session limit",
    "weekly": "weekly limit",
    "credits": "monthly AI credits",
}
# How long an account rests when Copilot gave no reset at all (no retry-after, no rst).
UNKNOWN_RESET_SECONDS = 300
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


class Windows:
    """The latest session and weekly windows of one account, and its rests."""

    def __init__(
        self, account: str, quota: QuotaBook, clock: Callable[[], float] = time.time
    ) -> None:
        self.account = account
        self.quota = quota
        self.clock = clock  # Unix time: Copilot's resets are wall-clock times
        self.latest: dict[str, QuotaSnapshot] = {}
        self._rests: dict[str, float] = {}

    def observe(self, headers: httpx.Headers) -> None:
        for window, header in WINDOW_HEADERS.items():
            if (value := headers.get(header)) is None:
                continue
            snapshot = self.latest[window] = parse_snapshot(value)
            WINDOW.labels(self.account, window, "percent_remaining").set(snapshot.percent_remaining)
            reset = snapshot.reset_timestamp()
            if reset is not None:
                WINDOW.labels(self.account, window, "reset_timestamp_seconds").set(reset)
            if snapshot.percent_remaining > 0:
                self._rests.pop(window, None)
            else:
                self._rests[window] = reset or self.clock() + UNKNOWN_RESET_SECONDS

    def _reset_of(self, window: str) -> float | None:
        if window == "credits":
            snapshot = self.quota.latest.get(CREDITS_QUOTA)
        else:
            snapshot = self.latest.get(window)
        return snapshot.reset_timestamp() if snapshot is not None else None

    def refused(self, error: Spent) -> Rest:
        """Copilot refused a call for this window: rest until it resets."""
        now = self.clock()
        wait = retry_after(httpx.Headers(error.headers))
        until = (
            (now + wait if wait is not None else None)
            or self._reset_of(error.window)
            or now + UNKNOWN_RESET_SECONDS
        )
        self._rests[error.window] = max(until, self._rests.get(error.window, 0.0))
        return Rest(self.account, error.window, self._rests[error.window])

    def resting(self, free_model: bool = False) -> Rest | None:
        """The rest this account is in now for a model (the longest, when several windows
        are spent); spent credits do not stop a free model."""
        now = self.clock()
        live = {
            window: until
            for window, until in self._rests.items()
            if until > now and not (free_model and window == "credits")
        }
        if not live:
            return None
        window = max(live, key=live.__getitem__)
        return Rest(self.account, window, live[window])

    def as_json(self) -> dict[str, Any]:
        """Each window as last reported: percent left, its reset, and a rest if spent."""
        rests = {window: until for window, until in self._rests.items() if until > self.clock()}
        report: dict[str, Any] = {}
        for window in (*WINDOW_HEADERS, "credits"):
            snapshot = self.latest.get(window)
            entry: dict[str, Any] = {}
            if snapshot is not None:
                entry = {"percent_remaining": snapshot.percent_remaining, "reset": snapshot.reset}
            if window in rests:
                entry["spent_until"] = iso_time(rests[window])
            if entry:
                report[window] = entry
        return report


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
