"""Copilot's premium-request quota, as it reports it.

Every API answer carries `x-quota-snapshot-<quota>` headers, each URL-encoded
`ent=<entitlement>&ov=<overage>&ovPerm=<overage permitted>&rem=<percent remaining>&rst=<reset>`;
`GET {github_api}/copilot_internal/user` gives the account's plan and every quota in full.
The latest snapshots become Prometheus gauges, per account and quota.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import httpx

from ...observability.metrics import QUOTA
from ...settings import Settings
from ..client import UpstreamClient
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
)


def account_summary(account: str, user: Any) -> dict[str, Any]:
    """The parts of `copilot_internal/user` an operator needs: plan, reset, each quota."""
    user = user if isinstance(user, dict) else {}
    snapshots = user.get("quota_snapshots") if isinstance(user.get("quota_snapshots"), dict) else {}
    return {
        "account": account,
        "plan": user.get("copilot_plan"),
        "quota_reset_date": user.get("quota_reset_date"),
        "quotas": {
            name: {field: quota.get(field) for field in QUOTA_FIELDS}
            for name, quota in snapshots.items()
            if isinstance(quota, dict)
        },
    }


def render_usage(summaries: list[dict[str, Any]]) -> str:
    """`copilot-gateway usage`: one row per account and quota."""
    header = (
        "account",
        "plan",
        "quota",
        "entitlement",
        "remaining",
        "percent",
        "overage",
        "resets",
    )
    rows = [header]
    for summary in summaries:
        for quota, fields in summary["quotas"].items():
            unlimited = fields.get("unlimited")
            rows.append(
                (
                    summary["account"],
                    str(summary["plan"] or "-"),
                    quota,
                    "unlimited" if unlimited else str(fields.get("entitlement")),
                    "-" if unlimited else str(fields.get("remaining")),
                    "-" if unlimited else str(fields.get("percent_remaining")),
                    str(fields.get("overage_count") or 0),
                    str(summary["quota_reset_date"] or "-"),
                )
            )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )
