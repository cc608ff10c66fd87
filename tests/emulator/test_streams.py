"""Every streaming endpoint is sent alike: counted in `state.open_streams` while it is sent,
counted out when it ends or its client leaves, and paced like a model's tokens."""

from __future__ import annotations

import asyncio

import pytest

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig
from copilot_gateway.emulator.streams import Frame, send

from .conftest import OpenStream
from .streaming_calls import EVERY_STREAM, StreamingCall

pytestmark = pytest.mark.anyio


@EVERY_STREAM
async def test_a_stream_is_counted_while_it_is_sent(
    emulator: CopilotEmulator, open_stream: OpenStream, call: StreamingCall
) -> None:
    async with open_stream(call) as stream:
        assert await stream.status() == 200
        assert await stream.frame()
        assert emulator.state.open_streams == 1
        frames = await stream.rest()
        assert frames[-1].startswith(call.last)
        assert await stream.outcome() is None
    assert emulator.state.open_streams == 0


@EVERY_STREAM
async def test_a_client_leaving_mid_stream_ends_the_stream_at_once(
    emulator: CopilotEmulator, open_stream: OpenStream, call: StreamingCall
) -> None:
    async with open_stream(call) as stream:
        assert await stream.frame() and await stream.frame()
        assert emulator.state.open_streams == 1
        stream.leave()
        assert await stream.outcome() is None  # a client leaving is no failure
        assert emulator.state.open_streams == 0


@EVERY_STREAM
async def test_a_stream_outliving_a_reset_is_counted_out_of_the_new_state(
    emulator: CopilotEmulator, open_stream: OpenStream, call: StreamingCall
) -> None:
    async with open_stream(call) as stream:
        assert await stream.frame()
        emulator.reset()
        assert emulator.state.open_streams == 1
        await stream.rest()
    assert emulator.state.open_streams == 0


async def test_generated_frames_are_paced_and_the_first_waits_for_the_first_token() -> None:
    """Generated content waits `token_interval_ms` a piece, the first `first_token_ms` more."""
    emulator = CopilotEmulator(EmulatorConfig(first_token_ms=30, token_interval_ms=10))
    frames = [Frame(b"opening"), Frame(b"a", True), Frame(b"b", True), Frame(b"end")]
    loop = asyncio.get_running_loop()
    arrivals = {
        frame: loop.time() async for frame in send(emulator, frames, lambda _sent: b"", None)
    }
    assert list(arrivals) == [b"opening", b"a", b"b", b"end"]
    assert arrivals[b"a"] - arrivals[b"opening"] >= 0.04
    assert arrivals[b"b"] - arrivals[b"a"] >= 0.01
