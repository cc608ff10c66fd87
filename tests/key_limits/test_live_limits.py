"""The limiter looks each key's limits up by name at every request: keys made or changed
while the process runs (runtime keys) are limited at once, with no restart."""

from __future__ import annotations

import asyncio

import pytest

from copilot_gateway.errors import QuotaExhausted
from copilot_gateway.key_limits.limiter import Limiter
from copilot_gateway.key_limits.policy import KeyLimits
from copilot_gateway.key_limits.store import MemoryStore

BODY = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}


def test_a_key_given_a_budget_at_runtime_is_limited_at_once() -> None:
    keys: dict[str, KeyLimits] = {}
    limiter = Limiter(keys.get, MemoryStore())

    async def scenario() -> None:
        assert not limiter.applies_to("new") and not limiter.applies_to(None)
        assert await limiter.admit("new", BODY) is None  # unknown: unlimited
        keys["new"] = KeyLimits()  # a key with no limits costs nothing
        assert not limiter.applies_to("new")
        keys["new"] = KeyLimits(credits_per_day=0.5)
        assert limiter.applies_to("new")
        admission = await limiter.admit("new", BODY)
        assert admission is not None
        assert admission.answer_headers(None)["x-ratelimit-remaining-credits-day"] == "0.5"
        await limiter.finish(admission, used_tokens=20, cost=600_000_000)  # 0.6 credits
        with pytest.raises(QuotaExhausted, match="credits_per_day") as refused:
            await limiter.admit("new", BODY)
        assert refused.value.headers["x-ratelimit-remaining-credits-day"] == "0"
        assert refused.value.code == "insufficient_quota"
        keys["new"] = KeyLimits(credits_per_day=2)  # raised: admitted again, the spend kept
        admission = await limiter.admit("new", BODY)
        assert admission is not None
        assert admission.answer_headers(None)["x-ratelimit-remaining-credits-day"] == "1.4"
        await limiter.finish(admission, used_tokens=0, cost=None)  # cost unknown: nothing
        del keys["new"]  # revoked, or its limits dropped
        assert not limiter.applies_to("new")

    asyncio.run(scenario())
