"""Budgets in AI Credits per key (`credits_per_day`, `credits_per_month`): the UTC day and
the UTC calendar month a request counts in, what is left of each, and how that reads.

A request is admitted while each budget of its key has something left; its actual cost
(the record's nano-AIU, an exact integer) is added to the windows it was admitted in once
its response has ended. So every request admitted while something was left may spend in
full: a budget is exceeded by at most the cost of the requests in flight when it ran out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from ..pricing import NANO_AIU_PER_CREDIT
from .headers import credits_text, limit_headers
from .policy import KeyLimits

DAY_SECONDS = 86400


@dataclass(frozen=True, slots=True)
class BudgetWindow:
    """One UTC day or calendar month. Its name is part of its counter's: every process
    agrees on it, and a request settled after the window ended still lands in its own."""

    span: str  # "day" or "month"
    name: str  # "2026-12-02", "2026-12"
    starts_at: float  # epoch seconds
    ends_at: float

    @property
    def limit_name(self) -> str:
        return f"credits_per_{self.span}"


def day_of(at: float) -> BudgetWindow:
    """The UTC day holding `at` (epoch seconds)."""
    start = at // DAY_SECONDS * DAY_SECONDS
    return BudgetWindow(
        "day", time.strftime("%Y-%m-%d", time.gmtime(start)), start, start + DAY_SECONDS
    )


def month_of(at: float) -> BudgetWindow:
    """The UTC calendar month holding `at`: from its first day to the next month's, 00:00."""
    moment = datetime.fromtimestamp(at, UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    end = datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)
    return BudgetWindow(
        "month", f"{moment.year:04d}-{moment.month:02d}", start.timestamp(), end.timestamp()
    )


@dataclass(slots=True)
class Budget:
    """One budget of an admitted request: its window, its size and what had been spent in
    it when the request was admitted, in nano-AIU."""

    window: BudgetWindow
    limit: int
    spent: int

    def left(self, cost: int = 0) -> int:
        return max(0, self.limit - self.spent - cost)

    def headers(self, cost: int = 0) -> dict[str, str]:
        """What is left, this request's cost (when known) taken off."""
        remaining = credits_text(self.left(cost))
        resets_in = max(0.0, self.window.ends_at - time.time())
        return limit_headers(
            f"credits-{self.window.span}", credits_text(self.limit), remaining, resets_in
        )


def budgets_of(limits: KeyLimits, at: float) -> list[Budget]:
    """The key's budgets for a request at `at`, spent amounts still to be read."""
    budgets = []
    for credits, window_of in (
        (limits.credits_per_day, day_of),
        (limits.credits_per_month, month_of),
    ):
        if credits is not None:
            budgets.append(Budget(window_of(at), round(credits * NANO_AIU_PER_CREDIT), 0))
    return budgets


def spent_budget(key: str, budgets: list[Budget]) -> tuple[Budget, str] | None:
    """The budget that refuses the request (the one renewed last if several are spent), and
    the words saying so; None while each has something left."""
    spent = [budget for budget in budgets if budget.left() == 0]
    if not spent:
        return None
    budget = max(spent, key=lambda budget: budget.window.ends_at)
    renewal = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(budget.window.ends_at))
    message = (
        f"Key '{key}' has spent its {'daily' if budget.window.span == 'day' else 'monthly'} "
        f"budget ({budget.window.limit_name}) of {credits_text(budget.limit)} AI Credits; "
        f"it renews at {renewal}."
    )
    return budget, message
