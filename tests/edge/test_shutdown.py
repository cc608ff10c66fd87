"""SIGTERM: running streams finish within the grace period, or end with an error event."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import orjson
import pytest

from commands import clean_env, free_port, started

GRACE = 2.0


def stream_body(words: int) -> dict:
    content = " ".join(f"w{i}" for i in range(words))
    return {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": content}]}


async def read_stream(url: str, words: int) -> list[str]:
    async with (
        httpx.AsyncClient(timeout=60) as client,
        client.stream("POST", f"{url}/v1/chat/completions", json=stream_body(words)) as response,
    ):
        return [line[6:] async for line in response.aiter_lines() if line.startswith("data: ")]


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_short_streams_finish_and_ends_long_ones_with_an_error_event(
    workers: int,
) -> None:
    emulator_port, gateway_port = free_port(), free_port()
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    paced = clean_env(GATEWAY_EMULATOR_TOKEN_INTERVAL_MS="100")
    env = clean_env(
        GITHUB_TOKEN="gho_x",
        GATEWAY_GITHUB_API_URL=emulator_url,
        GATEWAY_SHUTDOWN_GRACE_SECONDS=str(GRACE),
    )
    with (
        started(["emulator", "--port", str(emulator_port)], paced, f"{emulator_url}/models"),
        started(
            ["serve", "--port", str(gateway_port), "--workers", str(workers)],
            env,
            f"{gateway_url}/healthz",
        ) as gateway,
    ):
        httpx.get(f"{gateway_url}/v1/models")  # token exchange before the clock starts

        async def scenario() -> tuple[list[str], list[str], float]:
            short = asyncio.create_task(read_stream(gateway_url, 5))  # about 1.5 s of chunks
            long = asyncio.create_task(read_stream(gateway_url, 80))  # about 10 s of chunks
            await asyncio.sleep(0.5)
            gateway.send_signal(signal.SIGTERM)
            stopping = time.monotonic()
            finished = await asyncio.gather(short, long)
            return finished[0], finished[1], time.monotonic() - stopping

        short, long, took = asyncio.run(scenario())
        gateway.wait(timeout=30)
    assert short[-1] == "[DONE]"  # finished within the grace period, untouched
    assert long[-1] != "[DONE]"
    error = orjson.loads(long[-1])["error"]
    assert error["code"] == "gateway_shutting_down"
    assert any("choices" in orjson.loads(event) for event in long[:-1])
    assert took >= GRACE  # the long stream ran on for the whole grace period
