"""Sending a streamed answer, the same way for every endpoint: paced like a model's tokens,
counted in `state.open_streams` while it is sent, and broken by the next stream fault.

An endpoint builds its whole answer as frames first (the answer is deterministic, so
nothing is lost), says which frames are generated content, and how its own API says
"failed mid-stream"; this module does the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from starlette.responses import StreamingResponse

from .faults import STALL_SECONDS, Fault, next_stream_fault
from .state import Emulator

# The endpoint's mid-stream error event, given how many frames were sent before it.
ErrorFrame = Callable[[int], bytes]


@dataclass(frozen=True)
class Frame:
    data: bytes
    generated: bool = False  # a piece of the model's output: paced (see `EmulatorConfig`)


async def respond(
    emulator: Emulator,
    frames: Sequence[Frame],
    error_frame: ErrorFrame,
    headers: dict[str, str] | None = None,
) -> StreamingResponse:
    """The stream of `frames`, broken as the next fault says if it is a stream fault."""
    fault = next_stream_fault(emulator.state.faults)
    headers = dict(headers or {})
    if fault is not None:
        await asyncio.sleep(fault.delay_seconds)
        headers.update(fault.headers)
    events = send(emulator, frames, error_frame, fault)
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


async def send(
    emulator: Emulator, frames: Sequence[Frame], error_frame: ErrorFrame, fault: Fault | None
) -> AsyncIterator[bytes]:
    """The frames, one at a time; one generator for the whole stream, so its count is
    taken back however it ends (finished, broken, or its client gone)."""
    emulator.state.open_streams += 1
    try:
        first = True
        for sent, frame in enumerate(frames):
            if fault is not None and sent == fault.cut_after_chunks:
                if fault.stream_end == "error":
                    yield error_frame(sent)
                elif fault.stream_end == "cut":
                    raise ConnectionAbortedError("emulated cut")
                elif fault.stream_end == "stall":
                    await asyncio.sleep(STALL_SECONDS)
                return
            if frame.generated:
                config = emulator.config
                wait = config.token_interval_ms + (config.first_token_ms if first else 0.0)
                first = False
                if wait:
                    await asyncio.sleep(wait / 1000)
            yield frame.data
    finally:
        emulator.state.open_streams -= 1
