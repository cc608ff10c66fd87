from __future__ import annotations

import email.utils
import time

import httpx

from copilot_gateway.upstreams.retry import retry_after


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after(httpx.Headers({"retry-after": "7"})) == 7
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after(httpx.Headers({"retry-after": soon})) or 0) <= 31
    assert retry_after(httpx.Headers({})) is None
    assert retry_after(httpx.Headers({"retry-after": "-3"})) == 0
    assert retry_after(httpx.Headers({"retry-after": "soon"})) is None
