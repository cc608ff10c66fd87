"""Two real `copilot-gateway serve` processes counting one key's limits in one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from limited_keys import AUTH, chat, limits_config, post_all, ratelimit_headers
from serve_processes import gateways

from redis_server import RedisServer, running_redis
from servers import CopilotEmulator, StreamGate, gated


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


@contextmanager
def emulator() -> Iterator[tuple[str, StreamGate]]:
    """The Copilot emulator on loopback, its streams held before their end until the test
    opens the gate (the one built into `serve` would answer through httpx's ASGI transport,
    whole)."""
    with gated(CopilotEmulator().app) as served:
        yield served


@contextmanager
def two_gateways(config: Path, redis_url: str) -> Iterator[tuple[list[str], StreamGate]]:
    with emulator() as (upstream, gate), gateways(config, redis_url, upstream) as served:
        yield [url for url, _ in served], gate


def test_two_gateways_on_one_redis_admit_exactly_rpm_of_twenty_concurrent_requests(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    config = limits_config(tmp_path, rpm=10)
    with two_gateways(config, redis_server.url) as ((first, second), _):
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

    async def scenario(first: str, second: str, gate: StreamGate) -> None:
        async with (
            httpx.AsyncClient(headers=AUTH, timeout=30) as client,
            contextlib.AsyncExitStack() as stack,
        ):
            # Both streams wait at the gate before their end: open while the third comes.
            streams = [
                await open_stream(client, first, stack),
                await open_stream(client, second, stack),
            ]
            assert [s.status_code for s in streams] == [200, 200]
            third = await client.post(f"{first}/v1/chat/completions", json=chat())
            assert third.status_code == 429
            assert third.json()["error"]["code"] == "rate_limit_exceeded"
            assert third.headers["retry-after"] == "1"
            gate.open()
            for stream in streams:
                assert (await read_to_end(stream)).rstrip().endswith("data: [DONE]")
            # A slot is freed as its gateway's response ends, a moment after the client read
            # its last byte: watch for that moment.
            after = await admitted(client, second, chat())
            assert after.status_code == 200

    with two_gateways(config, redis_server.url) as ((first, second), gate):
        asyncio.run(scenario(first, second, gate))


async def admitted(client: httpx.AsyncClient, url: str, body: dict) -> httpx.Response:
    """The first answer to this request that is not a 429, tried for a generous while."""
    deadline = asyncio.get_running_loop().time() + 60
    while (answer := await client.post(f"{url}/v1/chat/completions", json=body)).status_code == 429:
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.05)
    return answer


def test_a_stream_ended_by_shutdown_frees_its_slot_for_the_other_gateway(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    config = limits_config(tmp_path, max_parallel=1)

    async def scenario(first: str, second: str, stopped: subprocess.Popen[str]) -> None:
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            # The stream waits at the gate before its end: open until the shutdown ends it.
            request = client.stream("POST", f"{first}/v1/chat/completions", json=chat(stream=True))
            async with request as stream:
                assert stream.status_code == 200
                refused = await client.post(f"{second}/v1/chat/completions", json=chat())
                assert refused.status_code == 429
                stopped.send_signal(signal.SIGTERM)
                ending = await read_to_end(stream)
            assert '"gateway_shutting_down"' in ending
            assert (await admitted(client, second, chat())).status_code == 200

    with (
        emulator() as (upstream, _),
        gateways(config, redis_server.url, upstream, GATEWAY_SHUTDOWN_GRACE_SECONDS="1") as (
            (first, stopped),
            (second, _),
        ),
    ):
        asyncio.run(scenario(first, second, stopped))
