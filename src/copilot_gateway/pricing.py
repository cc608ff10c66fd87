"""What tokens cost, in AI Credits' smallest unit: the nano-AIU (1 credit = 1e9 nano-AIU =
$0.01, so $1 = 1e11 nano-AIU).

A model's price comes from one of two places, for upstreams that report no bill of their own:
the model list's `billing.token_prices`, as Copilot lists it (and a server in front of Copilot
may pass on), or the config file's `[prices."model-id"]` table. Copilot's field comes in two
shapes, both read here:

- flat (older): `{batch_size, input_price, output_price, cache_price}`, nano-AIU per
  `batch_size` tokens;
- tiered (current): `{batch_size, default: {...}, long_context: {...}}`, each tier with
  `input_price`, `output_price`, `cache_read_price` (or `cache_price`), `cache_write_price`
  and `max_prompt_tokens` (or `context_max`), in AI credits per `batch_size` tokens.

A request is billed at one tier as a whole: the first whose `max_prompt_tokens` its prompt
fits, else the last (the long tier). That is the proxies' reading (Floway, caozhiyuan); the
server's own rule is not published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .json_numbers import non_negative
from .settings import ModelPrice

NANO_AIU_PER_CREDIT = 1e9
NANO_AIU_PER_USD = 1e11
TOKENS_PER_MILLION = 1e6
TIER_NAMES = ("default", "long_context")


@dataclass(frozen=True)
class Rates:
    """One tier's prices, in nano-AIU per token."""

    input: float
    cached: float
    cache_write: float
    output: float
    # The longest prompt this tier bills; None: any.
    max_prompt_tokens: int | None = None


@dataclass(frozen=True)
class TokenCounts:
    """A request's tokens as the gateway counts them (chat's terms): `prompt` holds every
    input token, cached reads and cache writes included."""

    prompt: int
    output: int
    cached: int = 0
    cache_write: int = 0


@dataclass(frozen=True)
class TokenPrice:
    """A model's price: its tiers, the cheapest (shortest prompts) first."""

    tiers: tuple[Rates, ...]

    def rates_for(self, prompt_tokens: int) -> Rates:
        for tier in self.tiers:
            if tier.max_prompt_tokens is None or prompt_tokens <= tier.max_prompt_tokens:
                return tier
        return self.tiers[-1]

    def nano_aiu(self, used: TokenCounts) -> int:
        """What these tokens cost, rounded to a whole nano-AIU."""
        rates = self.rates_for(used.prompt)
        cached = min(used.cached, used.prompt)
        cache_write = min(used.cache_write, used.prompt - cached)
        fresh = used.prompt - cached - cache_write
        cost = (
            fresh * rates.input
            + cached * rates.cached
            + cache_write * rates.cache_write
            + used.output * rates.output
        )
        return round(cost)


def _tier(prices: Any, unit: float, batch: float) -> Rates | None:
    """A tier of `token_prices` (or the flat shape itself), its prices given in `unit`
    nano-AIU per `batch` tokens; None if it names no input or output price."""
    if not isinstance(prices, dict):
        return None
    input_price = non_negative(prices.get("input_price"))
    output_price = non_negative(prices.get("output_price"))
    if input_price is None or output_price is None:
        return None
    cached = non_negative(prices.get("cache_read_price"))
    if cached is None:
        cached = non_negative(prices.get("cache_price"))
    cache_write = non_negative(prices.get("cache_write_price"))
    limit = prices.get("max_prompt_tokens", prices.get("context_max"))
    per_token = unit / batch
    return Rates(
        input=input_price * per_token,
        cached=(input_price if cached is None else cached) * per_token,
        cache_write=(input_price if cache_write is None else cache_write) * per_token,
        output=output_price * per_token,
        max_prompt_tokens=limit if isinstance(limit, int) and not isinstance(limit, bool) else None,
    )


def listed_price(billing: object) -> TokenPrice | None:
    """A model's price as its catalogue entry's `billing` lists it; None when it lists none
    (or one this does not understand: then no credits are made up)."""
    prices = billing.get("token_prices") if isinstance(billing, dict) else None
    if not isinstance(prices, dict):
        return None
    batch = non_negative(prices.get("batch_size")) or TOKENS_PER_MILLION
    if "default" not in prices:  # the flat shape: nano-AIU
        flat = _tier(prices, 1.0, batch)
        return TokenPrice((flat,)) if flat else None
    tiers = [_tier(prices.get(name), NANO_AIU_PER_CREDIT, batch) for name in TIER_NAMES]
    found = tuple(tier for tier in tiers if tier is not None)
    return TokenPrice(found) if found else None


def configured_price(price: ModelPrice) -> TokenPrice:
    """A price of the config file's table (dollars per million tokens)."""
    per_token = NANO_AIU_PER_USD / TOKENS_PER_MILLION
    cached = price.input if price.cached is None else price.cached
    cache_write = price.input if price.cache_write is None else price.cache_write
    rates = Rates(
        input=price.input * per_token,
        cached=cached * per_token,
        cache_write=cache_write * per_token,
        output=price.output * per_token,
    )
    return TokenPrice((rates,))
