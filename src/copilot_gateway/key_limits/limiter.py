"""Admit or refuse one request of a limited key, and settle what it spent when it ends.

A request is admitted when its key has a slot free (`max_parallel`), tokens left this
minute (`tpm`) and today (`tokens_per_day`), credits left today and this month
(`credits_per_day`, `credits_per_month`: see `budgets`), and room in the last minute's
requests (`rpm`), checked in that order so a refusal spends nothing. Its tokens count when
its answer says them; a stream reserves its expected tokens up front and settles them at its
end. Its cost in credits is settled once its response has ended.

When the store (Redis) fails or does not answer in time, requests are admitted without
limits (fail open): a gateway whose Redis is down still serves, and says so loudly in its
log and in `gateway_redis_errors_total`. For a few seconds after a failure the store is not
asked at all, so a Redis that hangs costs no request more than one bounded wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import GatewayError, QuotaExhausted, RateLimited
from ..observability import metrics
from .budgets import Budget, budgets_of, spent_budget
from .headers import limit_headers, retry_after
from .policy import KeyLimits, expected_tokens
from .store import DAY, LEASE_SECONDS, MINUTE, Store, StoreUnavailable, Window

log = logging.getLogger(__name__)

# After a store failure, requests go unlimited without asking it, for this long.
COOL_OFF_SECONDS = 2.0
# When a slot frees is unknown: a client refused for `max_parallel` may try again after this.
PARALLEL_RETRY_AFTER = 1


@dataclass
class Admission:
    """An admitted request of a limited key: what it holds, and the headers it answers with."""

    key: str
    limits: KeyLimits
    headers: dict[str, str] = field(default_factory=dict)
    lease: str | None = None
    reserved: int = 0  # tokens a stream reserved up front
    reserved_at: float = 0.0  # when, so they are settled in the windows they were taken from
    budgets: list[Budget] = field(default_factory=list)  # its key's, as read when admitted
    renewing: asyncio.Task[None] | None = None

    def answer_headers(self, cost: int | None) -> dict[str, str]:
        """The headers its answer carries: its limits' state, credits left after its cost
        (when the answer knows it already: a stream's is known at its end)."""
        headers = dict(self.headers)
        for budget in self.budgets:
            headers.update(budget.headers(cost or 0))
        return headers


def window_headers(kind: str, window: Window) -> dict[str, str]:
    remaining = str(max(0, window.remaining))
    return limit_headers(kind, str(window.limit), remaining, window.resets_in)


class Limiter:
    """The per-key limits of one gateway process, counted in its store.

    `limits_of` looks a key's limits up by its name at each request: keys made or changed
    at runtime apply at once.
    """

    def __init__(self, limits_of: Callable[[str], KeyLimits | None], store: Store) -> None:
        self.limits_of = limits_of
        self.store = store
        self.unavailable_until = 0.0

    def applies_to(self, caller: str | None) -> bool:
        if caller is None:
            return False
        limits = self.limits_of(caller)
        return limits is not None and limits.limited

    async def admit(self, key: str, body: Any) -> Admission | None:
        """The admission of a request, None if its key has no limits or the store failed
        (then it is unlimited).

        Raises RateLimited when a limit refuses it, QuotaExhausted when a budget does.
        """
        limits = self.limits_of(key)
        if limits is None or not limits.limited or time.monotonic() < self.unavailable_until:
            return None
        admission = Admission(key, limits)
        try:
            await self._admit(admission, body)
        except StoreUnavailable as problem:
            self._failed("admit", problem)
            await self._release(admission)
            return None
        except BaseException:  # refused, or the client left meanwhile: free what it took
            await self._release(admission)
            raise
        if admission.lease is not None and self.store.leases_expire:
            admission.renewing = asyncio.create_task(self._renew(admission))
        return admission

    async def _admit(self, admission: Admission, body: Any) -> None:
        key, limits, now = admission.key, admission.limits, time.time()
        if limits.max_parallel is not None:
            admission.lease = await self.store.acquire_slot(key, limits.max_parallel)
            if admission.lease is None:
                message = (
                    f"Too many requests in flight for key '{key}': its limit is "
                    f"{limits.max_parallel} at once (max_parallel)."
                )
                await self._refuse(admission, "max_parallel", message, PARALLEL_RETRY_AFTER)
        # A request with a body (chat, completions, embeddings) spends tokens; a model list not.
        spends_tokens = isinstance(body, dict)
        minute: Window | None = None
        if limits.tpm is not None:
            minute = await self.store.tokens_window(key, limits.tpm, MINUTE, now)
            admission.headers.update(window_headers("tokens", minute))
            if minute.remaining <= 0 and spends_tokens:
                message = (
                    f"Rate limit reached for tokens per minute (tpm) of key '{key}': "
                    f"limit {limits.tpm}. Please try again in {retry_after(minute.resets_in)}s."
                )
                await self._refuse(admission, "tpm", message, minute.resets_in)
        if limits.tokens_per_day is not None and spends_tokens:
            day = await self.store.tokens_window(key, limits.tokens_per_day, DAY, now)
            if day.remaining <= 0:
                message = (
                    f"You exceeded the daily token budget (tokens_per_day) of key '{key}': "
                    f"{limits.tokens_per_day} tokens, renewed at 00:00 UTC."
                )
                await self._refuse(
                    admission, "tokens_per_day", message, day.resets_in, code="insufficient_quota"
                )
        if limits.has_budget:
            await self._check_budgets(admission, now, spends_tokens)
        if limits.rpm is not None:
            admitted, requests = await self.store.hit_requests(key, limits.rpm)
            admission.headers.update(window_headers("requests", requests))
            if not admitted:
                message = (
                    f"Rate limit reached for requests per minute (rpm) of key '{key}': "
                    f"limit {limits.rpm}. Please try again in {retry_after(requests.resets_in)}s."
                )
                await self._refuse(admission, "rpm", message, requests.resets_in)
        if limits.counts_tokens and isinstance(body, dict) and body.get("stream"):
            admission.reserved, admission.reserved_at = expected_tokens(body), now
            await self._spend(admission, admission.reserved, now)
            if minute is not None:
                left = Window(minute.limit, minute.remaining - admission.reserved, minute.resets_at)
                admission.headers.update(window_headers("tokens", left))

    async def _check_budgets(self, admission: Admission, now: float, spends: bool) -> None:
        """Keep the state of the key's budgets (its answer says what is left), and refuse a
        request that spends if one is spent."""
        budgets = budgets_of(admission.limits, now)
        spent = await self.store.budget_spent(admission.key, [b.window for b in budgets])
        for budget, amount in zip(budgets, spent, strict=True):
            budget.spent = amount
        admission.budgets = budgets
        if spends and (refusal := spent_budget(admission.key, budgets)) is not None:
            budget, message = refusal
            wait = budget.window.ends_at - time.time()
            # Not cured by retrying soon: the SDKs (OpenAI's, Anthropic's) read this header.
            admission.headers["x-should-retry"] = "false"
            await self._refuse(
                admission, budget.window.limit_name, message, wait, error=QuotaExhausted
            )

    async def _refuse(
        self,
        admission: Admission,
        limit: str,
        message: str,
        wait: float,
        code: str | None = None,
        error: type[GatewayError] = RateLimited,
    ) -> None:
        """Raise the 429, with the headers of every limit the key has that are known."""
        key, limits = admission.key, admission.limits
        if limits.rpm is not None and "x-ratelimit-limit-requests" not in admission.headers:
            window = await self.store.requests_window(key, limits.rpm)
            admission.headers.update(window_headers("requests", window))
        if limits.tpm is not None and "x-ratelimit-limit-tokens" not in admission.headers:
            window = await self.store.tokens_window(key, limits.tpm, MINUTE, time.time())
            admission.headers.update(window_headers("tokens", window))
        metrics.count_limited(key, limit)
        headers = {**admission.answer_headers(None), "retry-after": retry_after(wait)}
        raise error(message, code=code, headers=headers)

    async def _spend(self, admission: Admission, amount: int, at: float) -> None:
        limits = admission.limits
        if amount == 0:
            return
        if limits.tpm is not None:
            await self.store.spend_tokens(admission.key, limits.tpm, MINUTE, at, amount)
        if limits.tokens_per_day is not None:
            await self.store.spend_tokens(admission.key, limits.tokens_per_day, DAY, at, amount)

    async def finish(self, admission: Admission, used_tokens: int, cost: int | None) -> None:
        """The request ended (answered, failed, cut, or shut down): count the tokens it used
        and what it cost (nano-AIU), and free its slot. A stream that ended without usage
        keeps its token reservation."""
        try:
            if admission.budgets and cost:
                windows = [budget.window for budget in admission.budgets]
                await self.store.spend_budget(admission.key, windows, cost)
            if admission.reserved:
                if used_tokens:
                    await self._spend(
                        admission, used_tokens - admission.reserved, admission.reserved_at
                    )
            elif admission.limits.counts_tokens:
                await self._spend(admission, used_tokens, time.time())
        except StoreUnavailable as problem:
            self._failed("settle", problem)
        await self._release(admission)

    async def _release(self, admission: Admission) -> None:
        if admission.renewing is not None:
            admission.renewing.cancel()
        if admission.lease is None:
            return
        lease, admission.lease = admission.lease, None
        try:
            await self.store.release_slot(admission.key, lease)
        except StoreUnavailable as problem:
            self._failed("release", problem)

    async def _renew(self, admission: Admission) -> None:
        while admission.lease is not None:
            await asyncio.sleep(LEASE_SECONDS / 3)
            try:
                await self.store.renew_slot(admission.key, admission.lease)
            except StoreUnavailable as problem:
                self._failed("renew", problem)

    def _failed(self, operation: str, problem: StoreUnavailable) -> None:
        metrics.count_redis_error(operation)
        self.unavailable_until = time.monotonic() + COOL_OFF_SECONDS
        log.error(
            "limits store failed (%s: %s): requests are served without per-key limits "
            "until it answers again",
            operation,
            problem,
        )

    async def check(self) -> None:
        """At start-up: say at once if the store cannot be reached."""
        try:
            await self.store.ping()
        except StoreUnavailable as problem:
            self._failed("ping", problem)

    async def aclose(self) -> None:
        await self.store.aclose()
