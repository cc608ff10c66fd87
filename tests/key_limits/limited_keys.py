"""What the limits' tests share: a config file with one limited key, requests with it."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import httpx
import redis
from prometheus_client.parser import text_string_to_metric_families

from copilot_gateway.emulator import CopilotEmulator
from redis_server import RedisServer

KEY = "sk-team-limited"
KEY_NAME = "team"
AUTH = {"Authorization": f"Bearer {KEY}"}
RATELIMIT_REQUESTS = ("limit", "remaining", "reset")
T = TypeVar("T")


def limits_config(directory: Path, **limits: float) -> Path:
    """A config file naming one key, `team`, with these limits."""
    lines = [
        "[[keys]]",
        f'name = "{KEY_NAME}"',
        f'sha256 = "{hashlib.sha256(KEY.encode()).hexdigest()}"',
        *(f"{name} = {value}" for name, value in limits.items()),
    ]
    path = directory / "gateway.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def chat(content: str = "Hello there", **extra: object) -> dict:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": content}], **extra}


def ratelimit_headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if "ratelimit" in name}


def used_tokens(response: httpx.Response) -> int:
    return int(response.json()["usage"]["total_tokens"])


async def post_all(urls: Iterable[str], body: dict) -> list[httpx.Response]:
    """The same request to each URL, all at once."""
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(headers=AUTH, timeout=30, limits=limits) as client:
        return await asyncio.gather(
            *(client.post(f"{url}/v1/chat/completions", json=body) for url in urls)
        )


def in_one_window(size: int, attempt: Callable[[], T], fresh: Callable[[], None]) -> T:
    """What `attempt` gives from a run that began and ended in one clock-aligned window of
    `size` seconds (a minute, a UTC day), the windows token limits count in.

    A run that straddled an edge counted in two windows, so what it saw (or asserted) does
    not count: its counters are cleared (`fresh`) and it runs again, at once: nothing waits
    for the clock, and the result holds whenever the test runs. A run is far shorter than a
    window, so the second run never straddles one too."""
    for _ in range(3):
        window = time.time() // size
        try:
            result = attempt()
        except AssertionError:
            if time.time() // size == window:
                raise  # a failure inside one window: a real one
        else:
            if time.time() // size == window:
                return result
        fresh()
    raise AssertionError(f"three runs in a row straddled an edge of a {size} s window")


def cleared(redis_server: RedisServer) -> Callable[[], None]:
    """Forget every counter: a run that straddled a window edge is done again from zero."""

    def clear() -> None:
        with redis.Redis.from_url(redis_server.url) as client:
            client.flushall()

    return clear


def billed(emulator: CopilotEmulator) -> float:
    """The AI Credits the emulator billed, over all its accounts: what was really spent."""
    return sum(account.credits.used for account in emulator.state.quotas.values())


def metric(url: str, sample: str, **labels: str) -> float:
    """A sample's value on the gateway's /metrics (0 when it has none yet)."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == sample and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0
