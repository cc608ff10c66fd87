"""`copilot-gateway usage`'s text: the account summaries (`quota.account_summary`, with the
windows Copilot last reported) as two tables, a row per account, then a row per quota."""

from __future__ import annotations

from typing import Any

from ...json_numbers import number


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _month(summary: dict[str, Any]) -> tuple[str, str]:
    """Used and left this month, in the account's unit (its billing says which)."""
    if (credits := summary.get("credits")) is not None:
        return _shown(credits["used"]), _shown(credits["left"])
    premium = summary["quotas"].get("premium_interactions") or {}
    entitlement, left = number(premium.get("entitlement")), number(premium.get("remaining"))
    if entitlement is not None and left is not None:
        return _shown(entitlement - left), _shown(left)
    return "-", "-"


def _window(summary: dict[str, Any], window: str) -> tuple[str, str]:
    """Percent left and reset of a window, as Copilot's latest answer gave them."""
    seen = (summary.get("windows") or {}).get(window) or {}
    if "percent_remaining" not in seen:
        return "-", "-"
    return f"{seen['percent_remaining']:g}%", str(seen.get("reset") or "-")


ACCOUNT_COLUMNS = (
    *("account", "plan", "billing", "used", "left", "resets"),
    *("session", "session_resets", "weekly", "weekly_resets"),
)


def render_usage(summaries: list[dict[str, Any]]) -> str:
    """`copilot-gateway usage`: a row per account (plan, billing, the month used and left,
    both windows), then a row per account and quota."""
    accounts: list[tuple[str, ...]] = [ACCOUNT_COLUMNS]
    for summary in summaries:
        accounts.append(
            (
                summary["account"],
                str(summary["plan"] or "-"),
                summary["billing"],
                *_month(summary),
                str(summary["quota_reset_date"] or "-"),
                *_window(summary, "session"),
                *_window(summary, "weekly"),
            )
        )
    quotas: list[tuple[str, ...]] = [
        ("account", "quota", "entitlement", "remaining", "percent", "overage", "credits_used")
    ]
    for summary in summaries:
        for quota, fields in summary["quotas"].items():
            unlimited = fields.get("unlimited")
            quotas.append(
                (
                    summary["account"],
                    quota,
                    "unlimited" if unlimited else _shown(fields.get("entitlement")),
                    "-" if unlimited else _shown(fields.get("remaining")),
                    "-" if unlimited else _shown(fields.get("percent_remaining")),
                    _shown(fields.get("overage_count") or 0),
                    _shown(fields.get("credits_used")),
                )
            )
    return _table(accounts) + "\n" + _table(quotas)
