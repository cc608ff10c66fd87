"""Premium-request quota per account, as Copilot counts it and reports it: in
`x-quota-snapshot-*` headers on every answer and at `GET /copilot_internal/user`."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

# Premium requests a month, by plan. A GitHub token names its account's plan in the
# emulator: `gho_free…` is on the free plan, `gho_plus…` on Pro+, any other on Pro.
ENTITLEMENTS = {"free": 50, "pro": 300, "pro_plus": 1500}


def plan_of(github_token: str) -> str:
    if github_token.startswith("gho_free"):
        return "free"
    if github_token.startswith("gho_plus"):
        return "pro_plus"
    return "pro"


def account_of(github_token: str) -> str:
    return hashlib.sha256(github_token.encode()).hexdigest()[:16]


def next_reset(now: datetime.datetime | None = None) -> datetime.datetime:
    """Quotas reset at the start of each month, UTC."""
    now = now or datetime.datetime.now(datetime.UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime.datetime(year, month, 1, tzinfo=datetime.UTC)


@dataclass
class AccountQuota:
    plan: str
    entitlement: float
    used: float = 0.0

    def remaining(self) -> float:
        return max(self.entitlement - self.used, 0.0)

    def percent_remaining(self) -> float:
        return round(100 * self.remaining() / self.entitlement, 1) if self.entitlement else 0.0

    def charge(self, premium_requests: float) -> bool:
        """Spend them, if there are enough left."""
        if premium_requests > self.remaining():
            return False
        self.used += premium_requests
        return True

    def headers(self) -> dict[str, str]:
        reset = next_reset().isoformat().replace("+00:00", "Z")
        premium = {
            "ent": f"{self.entitlement:g}",
            "ov": "0.0",
            "ovPerm": "false",
            "rem": f"{self.percent_remaining():g}",
            "rst": reset,
        }
        chat = {"ent": "-1", "ov": "0.0", "ovPerm": "false", "rem": "100", "rst": reset}
        return {
            "x-quota-snapshot-premium_interactions": urlencode(premium),
            "x-quota-snapshot-chat": urlencode(chat),
        }

    def user_info(self) -> dict[str, Any]:
        unlimited = {
            "entitlement": 0,
            "remaining": 0,
            "percent_remaining": 100.0,
            "unlimited": True,
            "overage_count": 0,
            "overage_permitted": False,
        }
        return {
            "copilot_plan": self.plan,
            "chat_enabled": True,
            "quota_reset_date": next_reset().date().isoformat(),
            "quota_snapshots": {
                "premium_interactions": {
                    "entitlement": self.entitlement,
                    "remaining": self.remaining(),
                    "percent_remaining": self.percent_remaining(),
                    "unlimited": False,
                    "overage_count": 0,
                    "overage_permitted": False,
                    "quota_id": "premium_interactions",
                },
                "chat": {**unlimited, "quota_id": "chat"},
                "completions": {**unlimited, "quota_id": "completions"},
            },
        }
