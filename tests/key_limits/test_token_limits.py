"""Tokens per minute and per day, counted from each answer's usage in one Redis that two
gateways share; a stream reserves its expected tokens up front and settles at its end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from limited_keys import (
    AUTH,
    chat,
    cleared,
    in_one_window,
    limits_config,
    ratelimit_headers,
    used_tokens,
)

from redis_server import RedisServer, running_redis
from servers import CopilotEmulator, StreamGate, gated, gateway_app, gateway_settings, running


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


@contextmanager
def two_gateways(emulator_url: str, redis_url: str, config: Path) -> Iterator[list[str]]:
    with ExitStack() as stack:
        settings = gateway_settings(emulator_url, redis_url=redis_url, config_file=config)
        yield [stack.enter_context(running(gateway_app(settings))) for _ in range(2)]


def post(url: str, body: dict) -> httpx.Response:
    return httpx.post(f"{url}/v1/chat/completions", json=body, headers=AUTH, timeout=30)


def test_tpm_is_spent_by_usage_on_either_gateway_then_refused_until_the_next_minute(
    tmp_path: Path, redis_server: RedisServer, emulator_url: str
) -> None:
    tpm = 60
    config = limits_config(tmp_path, tpm=tpm)

    def spend_the_minute(first: str, second: str) -> None:
        spent = 0
        answers: list[httpx.Response] = []
        while spent < tpm:  # each answer spends its usage; the next sees it, wherever it goes
            response = post(first if len(answers) % 2 == 0 else second, chat())
            assert response.status_code == 200, response.text
            headers = ratelimit_headers(response)
            assert headers["x-ratelimit-limit-tokens"] == str(tpm)
            assert headers["x-ratelimit-remaining-tokens"] == str(tpm - spent)
            spent += used_tokens(response)
            answers.append(response)
        assert len(answers) >= 2  # both gateways spent from the same minute
        for url in (first, second):
            refused = post(url, chat())
            assert refused.status_code == 429
            error = refused.json()["error"]
            assert (error["type"], error["code"]) == ("rate_limit_error", "rate_limit_exceeded")
            assert refused.headers["x-ratelimit-remaining-tokens"] == "0"
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            assert "x-ratelimit-reset-tokens" in refused.headers
            assert "x-ratelimit-limit-requests" not in refused.headers  # no rpm set

    with two_gateways(emulator_url, redis_server.url, config) as (first, second):
        in_one_window(60, lambda: spend_the_minute(first, second), cleared(redis_server))


def test_tokens_per_day_is_an_insufficient_quota_until_midnight_utc(
    tmp_path: Path, redis_server: RedisServer, emulator_url: str
) -> None:
    config = limits_config(tmp_path, tokens_per_day=30)

    def refused_until_midnight(url: str) -> httpx.Response:
        """A refused request, its retry-after checked against the seconds to midnight UTC
        when it was sent and when its answer came (however long it took in between)."""
        before = 86400 - time.time() % 86400
        answer = post(url, chat())
        after = 86400 - time.time() % 86400
        assert answer.status_code == 429
        assert after - 1 <= int(answer.headers["retry-after"]) <= before + 1
        return answer

    def spend_the_day(first: str, second: str) -> None:
        while (spending := post(first, chat())).status_code == 200:
            pass
        assert spending.status_code == 429
        for answer in (refused_until_midnight(first), refused_until_midnight(second)):
            error = answer.json()["error"]
            assert (error["type"], error["code"]) == ("rate_limit_error", "insufficient_quota")

    with two_gateways(emulator_url, redis_server.url, config) as (first, second):
        in_one_window(86400, lambda: spend_the_day(first, second), cleared(redis_server))


def test_a_stream_reserves_its_expected_tokens_and_settles_to_its_usage_at_its_end(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    tpm, max_tokens = 100_000, 500
    config = limits_config(tmp_path, tpm=tpm)
    streamed = chat(stream=True, max_tokens=max_tokens, stream_options={"include_usage": True})

    async def scenario(first: str, second: str, gate: StreamGate) -> tuple[int, int, int]:
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            request = client.stream("POST", f"{first}/v1/chat/completions", json=streamed)
            async with request as stream:
                assert stream.status_code == 200
                # The stream waits at the gate before its end: it has not settled yet.
                during = await client.post(f"{second}/v1/chat/completions", json=chat())
                gate.open()
                lines = [line async for line in stream.aiter_lines() if line.startswith("data: {")]
            stream_usage = httpx.Response(200, content=lines[-1][6:]).json()["usage"]
            spent = stream_usage["total_tokens"] + used_tokens(during)
            # The stream settles as its response ends, a moment after the client read its
            # last byte; a model list spends no tokens, so it can watch for that moment.
            deadline = asyncio.get_running_loop().time() + 60
            while True:
                after = await client.get(f"{second}/v1/models")
                remaining = int(after.headers["x-ratelimit-remaining-tokens"])
                if remaining == tpm - spent or asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.05)
        return int(during.headers["x-ratelimit-remaining-tokens"]), spent, remaining

    def reserve_and_settle() -> None:
        with (
            gated(CopilotEmulator().app) as (emulator_url, gate),
            two_gateways(emulator_url, redis_server.url, config) as (first, second),
        ):
            during, spent, after = asyncio.run(scenario(first, second, gate))
        assert during <= tpm - max_tokens  # the open stream's reservation counts already
        assert after == tpm - spent  # and once it ended, only what it used

    in_one_window(60, reserve_and_settle, cleared(redis_server))
