"""Retrying an upstream call that failed before anything reached the client.

5xx answers and refused connections are retried with exponential backoff and jitter; a 429
only when its `retry-after` fits the wait budget. Once the client has a byte, nothing is
retried (streams are retried only until their status line arrives).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from ..settings import Settings

RETRIED_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 0  # attempts after the first
    wait_budget: float = 0.0  # the longest `retry-after` worth waiting for, seconds

    @classmethod
    def of(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.upstream_retries, settings.upstream_retry_wait_budget)


class _Refused(Exception):
    """An answer worth another try; carries it, read, for when the tries run out."""

    def __init__(self, response: httpx.Response, wait: float | None) -> None:
        self.response = response
        self.wait = wait


def retry_after(headers: httpx.Headers) -> float | None:
    """`retry-after` in seconds: a number, or an HTTP date."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # neither: as if there were none
    return max(when.timestamp() - time.time(), 0.0)


_backoff = wait_random_exponential(multiplier=0.2, max=2)
_RETRIED = retry_if_exception_type((_Refused, httpx.ConnectError))


def _wait(state: RetryCallState) -> float:
    refused = state.outcome.exception() if state.outcome else None
    if isinstance(refused, _Refused) and refused.wait is not None:
        return refused.wait
    return float(_backoff(state))


async def send_retrying(
    send_once: Callable[[], Awaitable[httpx.Response]], policy: RetryPolicy
) -> httpx.Response:
    """send_once() until it gives an answer worth passing on, or the tries run out."""

    async def attempt() -> httpx.Response:
        response = await send_once()
        wait = retry_after(response.headers)
        if response.status_code in RETRIED_STATUSES or (
            response.status_code == 429 and wait is not None and wait <= policy.wait_budget
        ):
            await response.aread()  # the last one's message is what the client will see
            await response.aclose()
            raise _Refused(response, wait if response.status_code == 429 else None)
        return response

    # Most calls end at the first try, made here: tenacity's loop costs more than the rest of
    # the call's own work, so it runs only once a try failed, from that failure on.
    try:
        return await attempt()
    except (_Refused, httpx.ConnectError) as failure:
        if policy.retries == 0:
            if isinstance(failure, _Refused):
                return failure.response
            raise
        first_failure: BaseException | None = failure

    async def replayed_then_again() -> httpx.Response:
        nonlocal first_failure
        if first_failure is not None:  # tenacity sees the first try's failure, and waits
            failure, first_failure = first_failure, None
            raise failure
        return await attempt()

    try:
        async for trying in AsyncRetrying(
            stop=stop_after_attempt(policy.retries + 1),
            wait=_wait,
            retry=_RETRIED,
            reraise=True,
        ):
            with trying:
                return await replayed_then_again()
    except _Refused as refused:
        return refused.response
    raise AssertionError("unreachable: tenacity either returns or raises")
