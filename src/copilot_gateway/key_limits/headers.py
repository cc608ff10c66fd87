"""How a key's limits read on the wire, in the style of OpenAI's `x-ratelimit-*` headers:
a limit, what is left of it, and when it is whole again (`6s`, `1m0s`, `13h2m5s`)."""

from __future__ import annotations

import math

NANO_PER_SHOWN = 100_000  # credits are shown to 4 decimals: steps of 1e5 nano-AIU


def duration(seconds: float) -> str:
    """A reset time as OpenAI writes it: `120ms`, `6s`, `1.5s`, `6m0s`, `2h3m4s`."""
    if seconds < 1:
        return f"{max(0, math.ceil(seconds * 1000))}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{round(secs, 3):g}s"
    if hours or minutes:
        text = f"{int(minutes)}m{int(secs)}s"
    return f"{int(hours)}h{text}" if hours else text


def retry_after(seconds: float) -> str:
    """`retry-after` in whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))


def credits_text(nano_aiu: int) -> str:
    """Credits with up to 4 decimals, rounded down (what is left is never overstated)."""
    whole, fraction = divmod(max(0, nano_aiu) // NANO_PER_SHOWN, 10_000)
    return f"{whole}.{fraction:04d}".rstrip("0").rstrip(".")


def limit_headers(kind: str, limit: str, remaining: str, resets_in: float) -> dict[str, str]:
    return {
        f"x-ratelimit-limit-{kind}": limit,
        f"x-ratelimit-remaining-{kind}": remaining,
        f"x-ratelimit-reset-{kind}": duration(resets_in),
    }
