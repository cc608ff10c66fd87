"""Copilot's quotas (the month's AI credits, or premium requests), as it reports them.

Every API answer carries `x-quota-snapshot-<quota>` headers, each URL-encoded
`ent=<entitlement>&ov=<overage>&ovPerm=<overage permitted>&rem=<percent remaining>&rst=<reset>`;
`GET {github_api}/copilot_internal/user` gives the account's plan and every quota in full.
The latest snapshots become Prometheus gauges, per account and quota.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import httpx

from ...json_numbers import number
from ...observability.metrics import QUOTA
from ...settings import Settings
from ..client import UpstreamClient
from .billing import CREDITS, billing_kind
from .snapshots import QuotaSnapshot, parse_snapshot

HEADER_PREFIX = "x-quota-snapshot-"


class QuotaBook:
    """The latest snapshot of each quota of one account."""

    def __init__(self, account: str) -> None:
        self.account = account
        self.latest: dict[str, QuotaSnapshot] = {}

    def observe(self, headers: httpx.Headers) -> None:
        for name, value in headers.items():
            if not name.lower().startswith(HEADER_PREFIX):
                continue
            quota = name.lower().removeprefix(HEADER_PREFIX)
            snapshot = self.latest[quota] = parse_snapshot(value)
            labels = (self.account, quota)
            QUOTA.labels(*labels, "entitlement").set(snapshot.entitlement)
            QUOTA.labels(*labels, "percent_remaining").set(snapshot.percent_remaining)
            QUOTA.labels(*labels, "overage").set(snapshot.overage)
            if snapshot.total_remaining is not None:
                QUOTA.labels(*labels, "total_remaining").set(snapshot.total_remaining)
            if (reset := snapshot.reset_timestamp()) is not None:
                QUOTA.labels(*labels, "reset_timestamp_seconds").set(reset)

    def as_json(self) -> dict[str, Any]:
        return {quota: asdict(snapshot) for quota, snapshot in self.latest.items()}


def user_info_request(
    client: httpx.Client | UpstreamClient, settings: Settings, token: str
) -> httpx.Request:
    """GitHub's account and quota answer for a GitHub token (`copilot_internal/user`)."""
    return client.build_request(
        "GET",
        settings.github_api_url.rstrip("/") + "/copilot_internal/user",
        headers={
            "Authorization": f"token {token}",
            "Editor-Version": settings.copilot_editor_version,
            "Editor-Plugin-Version": settings.copilot_editor_plugin_version,
            "User-Agent": settings.copilot_user_agent,
            "X-GitHub-Api-Version": settings.copilot_token_api_version,
        },
    )


QUOTA_FIELDS = (
    "entitlement",
    "remaining",
    "percent_remaining",
    "unlimited",
    "overage_count",
    "overage_permitted",
    "credits_used",
)


def credits_of(user: dict[str, Any], billing: str) -> dict[str, float | None] | None:
    """AI credits used and left this month (`premium_interactions` counts them on an account
    billed in credits); None for an account billed in premium requests."""
    snapshots = user.get("quota_snapshots")
    premium = snapshots.get("premium_interactions") if isinstance(snapshots, dict) else None
    if billing != CREDITS or not isinstance(premium, dict):
        return None
    entitlement = number(premium.get("entitlement"))
    left = number(premium.get("quota_remaining", premium.get("remaining")))
    used = number(premium.get("credits_used"))
    if used is None and entitlement is not None and left is not None:
        used = max(entitlement - left, 0.0)
    return {"entitlement": entitlement, "used": used, "left": left}


def account_summary(account: str, user: Any) -> dict[str, Any]:
    """The parts of `copilot_internal/user` an operator needs: plan, billing, credits, the
    month's reset, each quota."""
    user = user if isinstance(user, dict) else {}
    snapshots = user.get("quota_snapshots") if isinstance(user.get("quota_snapshots"), dict) else {}
    billing = billing_kind(user)
    return {
        "account": account,
        "plan": user.get("copilot_plan"),
        "billing": billing,
        "token_based_billing": user.get("token_based_billing"),
        "credits": credits_of(user, billing),
        "quota_reset_date": user.get("quota_reset_date"),
        "quotas": {
            name: {field: quota.get(field) for field in QUOTA_FIELDS}
            for name, quota in snapshots.items()
            if isinstance(quota, dict)
        },
    }
