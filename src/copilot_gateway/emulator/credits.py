"""What an answer costs, as Copilot bills it in each answer's `copilot_usage` (reference §2.1):
`token_details` (one item per token type: count, batch size, nano-AIU per batch) and
`total_nano_aiu`, the bill. 1 AI credit = 1e9 nano-AIU = $0.01.

The prices are read from the model's own `/models` entry (`billing.token_prices`, in either
shape), so the bill always agrees with what the catalogue shows. `input` is fresh, uncached
input only; cached and cache-write tokens are their own items. Past the default tier's
`max_prompt_tokens` the whole request is billed at the long-context tier. A free model (no
prices) bills nothing: `{"token_details": [], "total_nano_aiu": 0}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NANO_AIU_PER_CREDIT = 10**9
KINDS = ("input", "cache_read", "cache_write", "output")


@dataclass(frozen=True)
class Tokens:
    """An answer's tokens, split as Copilot bills them."""

    input: int  # fresh (uncached) input
    output: int
    cache_read: int = 0
    cache_write: int = 0

    @property
    def prompt(self) -> int:
        return self.input + self.cache_read + self.cache_write


def rates(prices: dict[str, Any], prompt_tokens: int) -> dict[str, int]:
    """nano-AIU per batch of each token type, for a request of this many prompt tokens."""
    if "default" not in prices:  # flat: nano-AIU per batch already
        return {
            "input": int(prices.get("input_price", 0)),
            "cache_read": int(prices.get("cache_price", 0)),
            "cache_write": int(prices.get("cache_write_price", 0)),
            "output": int(prices.get("output_price", 0)),
        }
    tier = prices["default"]
    long = prices.get("long_context")
    if long is not None and prompt_tokens > tier.get("max_prompt_tokens", prompt_tokens):
        tier = long
    return {
        "input": round(tier.get("input_price", 0) * NANO_AIU_PER_CREDIT),
        "cache_read": round(
            tier.get("cache_read_price", tier.get("cache_price", 0)) * NANO_AIU_PER_CREDIT
        ),
        "cache_write": round(tier.get("cache_write_price", 0) * NANO_AIU_PER_CREDIT),
        "output": round(tier.get("output_price", 0) * NANO_AIU_PER_CREDIT),
    }


def copilot_usage(model: dict[str, Any], tokens: Tokens) -> dict[str, Any]:
    """The `copilot_usage` of an answer of `model` (its entry as the request saw it)."""
    prices = (model.get("billing") or {}).get("token_prices")
    if not prices:
        return {"token_details": [], "total_nano_aiu": 0}
    batch = int(prices.get("batch_size", 1_000_000))
    per_batch = rates(prices, tokens.prompt)
    details = []
    total = 0
    for kind in KINDS:
        count = getattr(tokens, kind)
        if count == 0 and kind in ("cache_read", "cache_write"):
            continue  # only the types the answer has
        cost = per_batch[kind]
        details.append(
            {"token_type": kind, "token_count": count, "batch_size": batch, "cost_per_batch": cost}
        )
        total += count * cost
    return {"token_details": details, "total_nano_aiu": (total + batch // 2) // batch}


def credits_of(usage: dict[str, Any]) -> float:
    """The AI credits a `copilot_usage` bills."""
    return float(usage.get("total_nano_aiu", 0)) / NANO_AIU_PER_CREDIT
