"""Two real `copilot-gateway serve` processes counting one key's limits in one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from limited_keys import AUTH, chat, limits_config, post_all, ratelimit_headers

from commands import clean_env, free_port, started
from redis_server import RedisServer, running_redis


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


@contextmanager
def emulator(token_interval_ms: int = 0) -> Iterator[str]:
    """The Copilot emulator in a process of its own: its streams really take their time
    (the one built into `serve` answers through httpx's ASGI transport, whole)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_env(GATEWAY_EMULATOR_TOKEN_INTERVAL_MS=str(token_interval_ms))
    with started(["emulator", "--port", str(port)], env, f"{url}/models"):
        yield url


@contextmanager
def gateways(
    config: Path, redis_url: str, emulator_url: str, **env: str
) -> Iterator[list[tuple[str, subprocess.Popen[str]]]]:
    """Two `serve` processes on one emulator, with one config file and one Redis."""
    with ExitStack() as stack:
        served = []
        for _ in range(2):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            environment = clean_env(
                GATEWAY_CONFIG_FILE=str(config),
                GATEWAY_REDIS_URL=redis_url,
                GITHUB_TOKEN="gho_test",
                GATEWAY_GITHUB_API_URL=emulator_url,
                **env,
            )
            command = ["serve", "--port", str(port)]
            served.append(
                (url, stack.enter_context(started(command, environment, f"{url}/healthz")))
            )
        yield served


@contextmanager
def two_gateways(config: Path, redis_url: str, token_interval_ms: int = 0) -> Iterator[list[str]]:
    with emulator(token_interval_ms) as upstream, gateways(config, redis_url, upstream) as served:
        yield [url for url, _ in served]


def test_two_gateways_on_one_redis_admit_exactly_rpm_of_twenty_concurrent_requests(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    config = limits_config(tmp_path, rpm=10)
    with two_gateways(config, redis_server.url) as (first, second):
        responses = asyncio.run(post_all([first, second] * 10, chat()))
    admitted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    assert (len(admitted), len(refused)) == (10, 10)
    for response in admitted:
        headers = ratelimit_headers(response)
        assert headers["x-ratelimit-limit-requests"] == "10"
        assert 0 <= int(headers["x-ratelimit-remaining-requests"]) < 10
        assert headers["x-ratelimit-reset-requests"].endswith("s")
    for response in refused:
        error = response.json()["error"]
        assert (error["type"], error["code"]) == ("rate_limit_error", "rate_limit_exceeded")
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert response.headers["x-ratelimit-limit-requests"] == "10"
        assert response.headers["x-ratelimit-remaining-requests"] == "0"
        assert "x-ratelimit-reset-requests" in response.headers


async def open_stream(
    client: httpx.AsyncClient, url: str, stack: contextlib.AsyncExitStack
) -> httpx.Response:
    """A chat stream whose headers came (it was admitted), left open to read later."""
    request = client.stream("POST", f"{url}/v1/chat/completions", json=chat(stream=True))
    return await stack.enter_async_context(request)


async def read_to_end(response: httpx.Response) -> str:
    return "".join([text async for text in response.aiter_text()])


def test_max_parallel_holds_across_gateways_and_frees_slots_when_streams_end(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    config = limits_config(tmp_path, max_parallel=2)

    async def scenario(first: str, second: str) -> None:
        async with (
            httpx.AsyncClient(headers=AUTH, timeout=30) as client,
            contextlib.AsyncExitStack() as stack,
        ):
            streams = [
                await open_stream(client, first, stack),
                await open_stream(client, second, stack),
            ]
            assert [s.status_code for s in streams] == [200, 200]
            third = await client.post(f"{first}/v1/chat/completions", json=chat())
            assert third.status_code == 429
            assert third.json()["error"]["code"] == "rate_limit_exceeded"
            assert third.headers["retry-after"] == "1"
            for stream in streams:
                assert (await read_to_end(stream)).rstrip().endswith("data: [DONE]")
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            after = await client.post(f"{second}/v1/chat/completions", json=chat())
            assert after.status_code == 200

    # Streams of a second or more: both are still open when the third request comes.
    with two_gateways(config, redis_server.url, token_interval_ms=100) as (first, second):
        asyncio.run(scenario(first, second))


def test_a_stream_ended_by_shutdown_frees_its_slot_for_the_other_gateway(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    config = limits_config(tmp_path, max_parallel=1)
    long_chat = chat(" ".join(f"w{i}" for i in range(100)), stream=True)

    async def scenario(first: str, second: str, stopped: subprocess.Popen[str]) -> None:
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            request = client.stream("POST", f"{first}/v1/chat/completions", json=long_chat)
            async with request as stream:
                assert stream.status_code == 200
                refused = await client.post(f"{second}/v1/chat/completions", json=chat())
                assert refused.status_code == 429
                stopped.send_signal(signal.SIGTERM)
                ending = await read_to_end(stream)
            assert '"gateway_shutting_down"' in ending
            # The slot is freed as the stopped gateway's response ends, a moment after the
            # client read its last byte: give it that moment.
            for _ in range(30):
                admitted = await client.post(f"{second}/v1/chat/completions", json=chat())
                if admitted.status_code != 429:
                    break
                await asyncio.sleep(0.1)
            assert admitted.status_code == 200

    with (
        emulator(token_interval_ms=200) as upstream,
        gateways(config, redis_server.url, upstream, GATEWAY_SHUTDOWN_GRACE_SECONDS="1") as (
            (first, stopped),
            (second, _),
        ),
    ):
        asyncio.run(scenario(first, second, stopped))
