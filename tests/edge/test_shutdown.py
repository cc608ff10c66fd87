"""SIGTERM: running streams finish within the grace period, or end with an error event; a
WebSocket's running turn finishes before its connection is closed."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

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


def test_sigterm_lets_a_websocket_turn_finish_then_closes_each_connection_1012() -> None:
    # uvicorn alone closes every WebSocket at once: a turn would be cut midway, sent again
    # elsewhere by its client, and billed twice. The turn is held by the gate until the idle
    # connection beside it has been closed.
    gate = StreamGate(CopilotEmulator().app)
    gateway_port = free_port()
    socket_url = f"ws://127.0.0.1:{gateway_port}/v1/responses"
    create = {"type": "response.create", "model": "gpt-4o", "input": "hi"}
    with running(gate) as emulator_url:
        env = clean_env(
            GITHUB_TOKEN="gho_x",
            GATEWAY_GITHUB_API_URL=emulator_url,
            GATEWAY_SHUTDOWN_GRACE_SECONDS="600",  # the turn ends on its own, not at a deadline
        )
        try:
            with started(
                ["serve", "--port", str(gateway_port)],
                env,
                f"http://127.0.0.1:{gateway_port}/healthz",
            ) as gateway:

                async def scenario() -> tuple[int | None, int, list[str], int | None]:
                    async with connect(socket_url) as turning, connect(socket_url) as idle:
                        await turning.send(orjson.dumps(create).decode())
                        await asyncio.to_thread(gate.wait_until_held)
                        gateway.send_signal(signal.SIGTERM)
                        await until_closed(idle)
                        held_then = gate.held
                        gate.open()
                        events = [orjson.loads(m)["type"] for m in await until_closed(turning)]
                        return idle.close_code, held_then, events, turning.close_code

                idle_closed, held_then, events, turn_closed = asyncio.run(scenario())
                gateway.wait(timeout=60)
        finally:
            gate.open()
    assert idle_closed == 1012 and held_then == 1
    assert events[0] == "response.created" and events[-1] == "response.completed"
    assert turn_closed == 1012


async def until_closed(socket: ClientConnection) -> list[str | bytes]:
    """Every message of a connection, until the server closes it (with any code)."""
    messages = []
    with contextlib.suppress(ConnectionClosed):
        async for message in socket:
            messages.append(message)
    return messages
