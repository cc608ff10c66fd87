"""What tokens cost: both shapes of Copilot's `billing.token_prices`, the config file's price
table, and a request's record pricing its tokens when the upstream bills nothing."""

from __future__ import annotations

import pytest

from copilot_gateway.observability.record import RequestRecord
from copilot_gateway.pricing import TokenCounts, configured_price, listed_price
from copilot_gateway.settings import ModelPrice

# Claude Sonnet 4.6 in the older, flat shape: nano-AIU per 1M tokens ($3 / $15 / $0.30).
FLAT = {
    "token_prices": {
        "batch_size": 1_000_000,
        "input_price": 300_000_000_000,
        "output_price": 1_500_000_000_000,
        "cache_price": 30_000_000_000,
    }
}
# GPT-5.6 Terra in the current, tiered shape: AI credits per 1M tokens, a long tier past 272K.
TIERED = {
    "token_prices": {
        "batch_size": 1_000_000,
        "default": {
            "input_price": 250,
            "output_price": 1500,
            "cache_read_price": 25,
            "cache_write_price": 0,
            "max_prompt_tokens": 272_000,
        },
        "long_context": {
            "input_price": 500,
            "output_price": 2250,
            "cache_price": 50,
            "cache_write_price": 0,
            "context_max": 1_000_000,
        },
    }
}


def test_the_flat_shape_is_nano_aiu_per_batch() -> None:
    price = listed_price(FLAT)
    assert price is not None
    # 18 fresh input, 2 cached, 4 output: 18 x 3e5 + 2 x 3e4 + 4 x 1.5e6
    assert price.nano_aiu(TokenCounts(prompt=20, output=4, cached=2)) == 11_460_000


def test_the_tiered_shape_is_credits_per_batch_and_a_long_prompt_pays_the_long_tier() -> None:
    price = listed_price(TIERED)
    assert price is not None
    short = TokenCounts(prompt=1_000, output=100, cached=400)
    # 600 x 2.5e5 + 400 x 2.5e4 + 100 x 1.5e6 nano-AIU
    assert price.nano_aiu(short) == 310_000_000
    long = TokenCounts(prompt=300_000, output=0)
    assert price.nano_aiu(long) == 300_000 * 500_000  # the whole prompt at the long rate


def test_a_price_not_understood_makes_up_no_credits() -> None:
    assert listed_price(None) is None
    assert listed_price({"multiplier": 1, "is_premium": True}) is None
    assert listed_price({"token_prices": {"input_price": "cheap"}}) is None
    assert listed_price({"token_prices": {"default": {"input_price": 1}}}) is None


def test_a_configured_price_is_dollars_per_million_and_caching_costs_input_unless_said() -> None:
    plain = configured_price(ModelPrice(input=2.0, output=8.0))
    used = TokenCounts(prompt=1_000_000, output=1_000_000, cached=500_000, cache_write=0)
    assert plain.nano_aiu(used) == 10 * 100_000_000_000  # $2 + $8 = 1,000 credits
    cheaper = configured_price(ModelPrice(input=2.0, output=8.0, cached=0.5, cache_write=2.5))
    used = TokenCounts(prompt=1_000_000, output=0, cached=500_000, cache_write=250_000)
    # $0.50 fresh + $0.25 cached + $0.625 written
    assert cheaper.nano_aiu(used) == 137_500_000_000


def test_a_negative_price_is_refused() -> None:
    with pytest.raises(ValueError):
        ModelPrice(input=-1.0, output=1.0)


def test_a_record_prefers_the_upstreams_bill_to_its_price() -> None:
    record = RequestRecord("POST", "/v1/chat/completions")
    assert record.credits() is None  # nothing billed, no price: unknown, not free
    record.add_usage(
        {
            "prompt_tokens": 1_000,
            "completion_tokens": 10,
            "prompt_tokens_details": {"cached_tokens": 400},
        }
    )
    record.price = listed_price(TIERED)
    assert record.nano_aiu() == 600 * 250_000 + 400 * 25_000 + 10 * 1_500_000
    record.add_nano_aiu(0)  # a free model's bill
    assert record.credits() == 0 and record.usd() == 0
    record.add_nano_aiu(19_000_000)
    assert record.credits() == 0.019 and record.usd() == 0.00019
