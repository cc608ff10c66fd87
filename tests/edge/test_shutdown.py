"""SIGTERM: running streams finish within the grace period, or end with an error event."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import orjson
import pytest

from commands import clean_env, free_port, started
from servers import CopilotEmulator, StreamGate, running

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
    # Both streams are held by gates on the emulator until the gateway is told to stop: the
    # short one before its end (let go once SIGTERM is sent), the long one midway (never).
    short_gate = StreamGate(CopilotEmulator().app, before=b"[DONE]")
    long_gate = StreamGate(short_gate, before=b"w30")  # a word only the long prompt has
    gateway_port = free_port()
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    with running(long_gate) as emulator_url:
        env = clean_env(
            GITHUB_TOKEN="gho_x",
            GATEWAY_GITHUB_API_URL=emulator_url,
            GATEWAY_SHUTDOWN_GRACE_SECONDS=str(GRACE),
        )
        try:
            with started(
                ["serve", "--port", str(gateway_port), "--workers", str(workers)],
                env,
                f"{gateway_url}/healthz",
            ) as gateway:

                async def scenario() -> tuple[list[str], list[str], float]:
                    short = asyncio.create_task(read_stream(gateway_url, 5))
                    long = asyncio.create_task(read_stream(gateway_url, 80))
                    await asyncio.to_thread(short_gate.wait_until_held)  # both in flight
                    await asyncio.to_thread(long_gate.wait_until_held)
                    gateway.send_signal(signal.SIGTERM)
                    stopping = time.monotonic()
                    short_gate.open()
                    finished = await asyncio.gather(short, long)
                    return finished[0], finished[1], time.monotonic() - stopping

                short, long, took = asyncio.run(scenario())
                gateway.wait(timeout=60)
        finally:
            short_gate.open()
            long_gate.open()
    assert short[-1] == "[DONE]"  # finished within the grace period, untouched
    assert long[-1] != "[DONE]"
    error = orjson.loads(long[-1])["error"]
    assert error["code"] == "gateway_shutting_down"
    assert any("choices" in orjson.loads(event) for event in long[:-1])
    assert took >= GRACE  # the long stream ran on for the whole grace period
