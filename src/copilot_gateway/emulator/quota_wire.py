"""What Copilot says of an account's allowances: the headers on every successful data-plane
answer (reference §2.3) and `GET /copilot_internal/user` (§2.4).

- `x-quota-snapshot-premium_interactions` and `x-quota-snapshot-chat`: URL-encoded
  `ent`, `ov`, `ovPerm`, `rem` (percent left), `rst` (reset, ISO 8601 Z), `totRem` (left).
  For a seat billed in AI credits, premium_interactions counts credits (the unit Copilot
  uses there is UNCERTAIN in the reference; credits are what its clients show); for a
  legacy seat, premium requests. `chat` is unlimited (`ent=-1`, `totRem=-1`).
- `x-usage-ratelimit-session` and `x-usage-ratelimit-weekly`:
  `ent=0&ov=0.0&ovPerm=false&rem=<percent left>&rst=<reset>`. Sent whatever is used (one
  source says Copilot sends them only past 50 % used; the proxies read them either way).
"""

from __future__ import annotations

import datetime
import time
from typing import Any
from urllib.parse import urlencode

from .quota import Account, Window


def iso(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(int(timestamp), datetime.UTC)
    return moment.isoformat().replace("+00:00", "Z")


def _amount(value: float) -> str:
    """An amount to 4 decimals, without trailing zeros (`300`, `19999.9721`)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def number(value: float) -> float | int:
    """A JSON amount: whole numbers as integers (`300`), others to 4 decimals."""
    return int(value) if float(value).is_integer() else round(value, 4)


def _snapshot(window: Window) -> dict[str, str]:
    return {
        "ent": _amount(window.budget),
        "ov": "0.0",
        "ovPerm": "false",
        "rem": f"{window.percent_left():.1f}",
        "rst": iso(window.resets_at),
        "totRem": _amount(window.left()),
    }


def _rate_limit(window: Window) -> dict[str, str]:
    return {
        "ent": "0",
        "ov": "0.0",
        "ovPerm": "false",
        "rem": f"{window.percent_left():.1f}",
        "rst": iso(window.resets_at),
    }


def month_of(account: Account) -> Window:
    return account.credits if account.seat.token_based_billing else account.premium


def headers(account: Account) -> dict[str, str]:
    month = month_of(account)
    chat = {
        "ent": "-1",
        "ov": "0.0",
        "ovPerm": "false",
        "rem": "100.0",
        "rst": iso(month.resets_at),
        "totRem": "-1",
    }
    return {
        "x-quota-snapshot-premium_interactions": urlencode(_snapshot(month)),
        "x-quota-snapshot-chat": urlencode(chat),
        "x-usage-ratelimit-session": urlencode(_rate_limit(account.session)),
        "x-usage-ratelimit-weekly": urlencode(_rate_limit(account.weekly)),
    }


def user_info(account: Account, account_id: str) -> dict[str, Any]:
    """`copilot_internal/user`: the 2026 shape for a seat billed in credits, the earlier
    one (quotas in premium requests, no credits) for a legacy seat."""
    month = month_of(account)
    reset = iso(month.resets_at)
    token_based = account.seat.token_based_billing
    now = iso(time.time())

    def unlimited(quota_id: str) -> dict[str, Any]:
        return {
            "entitlement": 0,
            "remaining": 0,
            "quota_remaining": 0,
            "percent_remaining": 100.0,
            "unlimited": True,
            "overage_count": 0,
            "overage_permitted": False,
            "quota_id": quota_id,
        }

    premium: dict[str, Any] = {
        "entitlement": number(month.budget),
        "remaining": number(month.left()),
        "quota_remaining": number(month.left()),
        "percent_remaining": month.percent_left(),
        "unlimited": False,
        "overage_count": 0,
        "overage_permitted": False,
        "quota_id": "premium_interactions",
    }
    answer: dict[str, Any] = {
        "login": f"emulated-{account_id[:8]}",
        "access_type_sku": f"copilot_{account.plan}",
        "copilot_plan": account.plan,
        "chat_enabled": True,
        "assigned_date": iso(account.opened),
        "can_signup_for_limited": False,
        "organization_login_list": [],
        "is_staff": False,
        "analytics_tracking_id": account_id,
        "quota_reset_date": reset[:10],
        "quota_snapshots": {
            "premium_interactions": premium,
            "chat": unlimited("chat"),
            "completions": unlimited("completions"),
        },
    }
    if not token_based:
        answer["token_based_billing"] = False
        return answer
    for snapshot in answer["quota_snapshots"].values():
        snapshot.update(
            token_based_billing=True,
            overage_entitlement=0,
            quota_reset_at=reset,
            timestamp_utc=now,
            has_quota=not snapshot["unlimited"] and snapshot["entitlement"] > 0,
        )
    premium["credits_used"] = number(account.credits.used)
    answer.update(
        token_based_billing=True,
        quota_reset_date_utc=reset,
        can_upgrade_plan=account.plan != "max",
        cloud_session_storage_enabled=True,
    )
    return answer
