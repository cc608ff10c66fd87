"""Which plan a GitHub token's account is on, and what each plan gets, in the emulator.

The token's prefix names the plan: `gho_free…` free, `gho_pro…` Pro, `gho_plus…` Pro+,
`gho_business…` Business, `gho_legacy…` a Pro seat still billed in premium requests
(`token_based_billing: false`). Any other token is on `max`, the plan that offers every
model: the embedded default's `gho_emulator` and the tests' `gho_test_github_token` are.

Monthly AI credits follow GitHub's plans table (reference §1.4: allowance plus flex). The
free plan is not in that table: 50 credits here (UNCERTAIN). The 5-hour session and weekly
windows have credit budgets of their own: Copilot publishes none, so these are a tenth and
a half of the month's (UNCERTAIN); `EmulatorConfig` carries all three, for tests to shrink.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

CATCH_ALL = "max"
LEGACY_PREFIX = "gho_legacy"
PREFIXES = (
    ("gho_free", "free"),
    ("gho_pro", "pro"),
    ("gho_plus", "pro_plus"),
    ("gho_business", "business"),
    (LEGACY_PREFIX, "pro"),
)
MONTHLY_CREDITS = {
    "free": 50.0,
    "student": 1000.0,
    "pro": 1500.0,
    "pro_plus": 7000.0,
    "max": 20000.0,
    "business": 1900.0,
    "enterprise": 3900.0,
}
SESSION_CREDITS = {plan: credits / 10 for plan, credits in MONTHLY_CREDITS.items()}
WEEKLY_CREDITS = {plan: credits / 2 for plan, credits in MONTHLY_CREDITS.items()}
# Premium requests a month, for the accounts still billed in them.
PREMIUM_REQUESTS = {"free": 50, "pro": 300, "pro_plus": 1500}


@dataclass(frozen=True)
class Seat:
    """A GitHub account's plan and how it is billed."""

    plan: str
    token_based_billing: bool = True


def seat_of(github_token: str) -> Seat:
    for prefix, plan in PREFIXES:
        if github_token.startswith(prefix):
            return Seat(plan, token_based_billing=prefix != LEGACY_PREFIX)
    return Seat(CATCH_ALL)


def plan_of(github_token: str) -> str:
    return seat_of(github_token).plan


def account_of(github_token: str) -> str:
    """The account's id: what its Copilot tokens name in their `tid` claim."""
    return hashlib.sha256(github_token.encode()).hexdigest()[:16]
