"""The grammar Copilot reports its quotas and windows in: a URL-encoded header value
`ent=<entitlement>&ov=<overage>&ovPerm=<overage permitted>&rem=<percent remaining>
&rst=<reset, ISO 8601>&totRem=<amount remaining>`, on `x-quota-snapshot-<quota>` and on
`x-usage-ratelimit-session` / `-weekly` (where some answers send only `rem` and `rst`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import parse_qs

from ...json_numbers import number_text


@dataclass(frozen=True)
class QuotaSnapshot:
    entitlement: float  # -1: unlimited
    overage: float
    overage_permitted: bool
    percent_remaining: float
    reset: str | None  # when the quota resets, as Copilot says it (ISO 8601)
    total_remaining: float | None = None  # `totRem` (-1: unlimited); None when not sent

    def reset_timestamp(self) -> float | None:
        """The reset as a Unix time; None when Copilot sent none (or one not understood)."""
        try:
            when = datetime.datetime.fromisoformat(self.reset or "")
        except ValueError:
            return None
        if when.tzinfo is None:  # Copilot's resets are UTC, with or without the Z
            when = when.replace(tzinfo=datetime.UTC)
        return when.timestamp()


def _number(fields: dict[str, list[str]], name: str) -> float | None:
    return number_text((fields.get(name) or [""])[0])


def parse_snapshot(value: str) -> QuotaSnapshot:
    fields = parse_qs(value, keep_blank_values=True)
    remaining = _number(fields, "rem")
    return QuotaSnapshot(
        entitlement=_number(fields, "ent") or 0.0,
        overage=_number(fields, "ov") or 0.0,
        overage_permitted=(fields.get("ovPerm") or [""])[0].lower() == "true",
        # A value without a readable `rem` says nothing is spent: never read it as 0 % left.
        percent_remaining=100.0 if remaining is None else remaining,
        reset=(fields.get("rst") or [""])[0] or None,
        total_remaining=_number(fields, "totRem"),
    )
