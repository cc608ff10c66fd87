"""Copilot's usage windows, per account: the 5-hour session and the week (each answer's
`x-usage-ratelimit-session` and `-weekly`, percent left and reset), and the month's AI
credits (`x-quota-snapshot-premium_interactions`, see `quota`). The refusals that say a
window is spent, and the 429 a client gets when every account is out: `limits_spent`.

An account whose window is spent rests until that window resets, and is not sent requests
meanwhile (each would be a certain refusal). A session or weekly window is spent when its
latest header says `rem` 0 (Copilot serves the call that crosses the limit and refuses the
next); any window is spent when Copilot refuses a call for it, and the account rests until
`retry-after`, else the window's `rst` (the month's for credits).

A later header that shows the window with some left ends its rest early: for credits, a
`premium_interactions` snapshot with credits left (a free model's answer brings one, as the
month resets or credits are added). Spent credits stop only the models that cost credits:
the free ones (no token price in the catalogue, and multiplier 0) are still served, as
Copilot includes them in every plan (the reading the proxies use; UNCERTAIN for every plan).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from ...observability.metrics import WINDOW
from ..retry import retry_after
from .limits_spent import WINDOW_NAMES, Rest, Spent, iso_time, spent_window
from .quota import HEADER_PREFIX, QuotaBook
from .snapshots import QuotaSnapshot, parse_snapshot

# Re-exported: where these names were read from before `limits_spent` held them.
__all__ = [
    "CREDITS_QUOTA",
    "UNKNOWN_RESET_SECONDS",
    "WINDOW_HEADERS",
    "WINDOW_NAMES",
    "Windows",
    "spent_window",
]

WINDOW_HEADERS = {"session": "x-usage-ratelimit-session", "weekly": "x-usage-ratelimit-weekly"}
CREDITS_QUOTA = "premium_interactions"  # the quota Copilot counts the month's credits on
CREDITS_HEADER = HEADER_PREFIX + CREDITS_QUOTA
# How long an account rests when Copilot gave no reset at all (no retry-after, no rst).
UNKNOWN_RESET_SECONDS = 300


def credits_left(snapshot: QuotaSnapshot) -> bool:
    """A `premium_interactions` snapshot that shows credits to spend: unlimited, some percent
    left, or some amount left (`totRem`)."""
    left = snapshot.total_remaining
    return snapshot.entitlement < 0 or snapshot.percent_remaining > 0 or (left or 0) > 0


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
        """An answer's window headers (after `QuotaBook.observe` has read its quotas)."""
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
        # The credits' snapshot is the quota book's, which read these headers just before.
        credits = self.quota.latest.get(CREDITS_QUOTA) if CREDITS_HEADER in headers else None
        if credits is not None and credits_left(credits):
            self._rests.pop("credits", None)  # the month reset, or credits were added

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
