"""An account's allowances, as Copilot counts them since AI credits (2026-06-01): the month's
AI credits, a 5-hour session window and a weekly window, each a credit budget that every
answer's bill is charged to; and, for a seat still billed the old way, premium requests.

What Copilot says of them (headers, `copilot_internal/user`) is in `quota_wire`; what it
refuses when one is spent, in `limits`.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .plans import Seat, account_of, plan_of

__all__ = ["Account", "Window", "account_of", "open_account", "plan_of"]

SESSION_SECONDS = 5 * 3600.0
WEEK_SECONDS = 7 * 86400.0
WINDOWS = ("session", "weekly", "credits")


def next_month(now: float) -> float:
    """Monthly allowances reset at the start of each month, UTC."""
    day = datetime.datetime.fromtimestamp(now, datetime.UTC)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.datetime(year, month, 1, tzinfo=datetime.UTC).timestamp()


def after(seconds: float) -> Callable[[float], float]:
    return lambda now: now + seconds


@dataclass
class Window:
    """A budget spent over a period that starts again at `resets_at`."""

    budget: float
    next_reset: Callable[[float], float]
    used: float = 0.0
    resets_at: float = 0.0

    def __post_init__(self) -> None:
        self.resets_at = self.resets_at or self.next_reset(time.time())

    def roll(self, now: float) -> None:
        """Start again if the period is over."""
        if now >= self.resets_at:
            self.end(now)

    def end(self, now: float) -> None:
        self.used = 0.0
        self.resets_at = self.next_reset(now)

    def left(self) -> float:
        return max(self.budget - self.used, 0.0)

    def spent(self) -> bool:
        return self.used >= self.budget

    def percent_left(self) -> float:
        return round(100 * self.left() / self.budget, 1) if self.budget else 0.0

    def seconds_left(self, now: float) -> int:
        return max(int(self.resets_at - now + 0.999), 1)


@dataclass
class Account:
    """One GitHub account's allowances. `premium` counts premium requests; it limits only a
    seat billed in them (`seat.token_based_billing` false), whose month is not refused on
    credits."""

    seat: Seat
    credits: Window
    session: Window
    weekly: Window
    premium: Window
    opened: float = field(default_factory=time.time)

    @property
    def plan(self) -> str:
        return self.seat.plan

    def windows(self) -> dict[str, Window]:
        """By the names tests use (`put_near_limit`, `end_window`)."""
        month = self.credits if self.seat.token_based_billing else self.premium
        return {"session": self.session, "weekly": self.weekly, "credits": month}

    def roll(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for window in (self.credits, self.session, self.weekly, self.premium):
            window.roll(now)

    def charge(self, credits: float, premium_requests: float) -> None:
        """An answer served: its credits go to all three budgets, its premium requests
        (legacy billing) to theirs."""
        for window in (self.credits, self.session, self.weekly):
            window.used += credits
        self.premium.used += premium_requests


def open_account(
    seat: Seat,
    monthly: dict[str, float],
    session: dict[str, float],
    weekly: dict[str, float],
    premium: dict[str, int],
) -> Account:
    """A fresh account on its plan's budgets (the catch-all plan's where one is missing)."""
    plan = seat.plan
    return Account(
        seat,
        credits=Window(monthly.get(plan, monthly.get("max", 0.0)), next_month),
        session=Window(session.get(plan, session.get("max", 0.0)), after(SESSION_SECONDS)),
        weekly=Window(weekly.get(plan, weekly.get("max", 0.0)), after(WEEK_SECONDS)),
        premium=Window(float(premium.get(plan, premium.get("pro", 0))), next_month),
    )
