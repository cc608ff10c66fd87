"""Sending a streamed answer, the same way for every endpoint: paced like a model's tokens,
counted in `state.open_streams` while it is sent, and broken by the next stream fault.

An endpoint builds its whole answer as frames first (the answer is deterministic, so
nothing is lost), says which frames are generated content, and how its own API says
"failed mid-stream"; this module does the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

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
) -> ClosingStream:
    """The stream of `frames`, broken as the next fault says if it is a stream fault."""
    fault = next_stream_fault(emulator.state.faults)
    headers = dict(headers or {})
    if fault is not None:
        await asyncio.sleep(fault.delay_seconds)
        headers.update(fault.headers)
    return ClosingStream(send(emulator, frames, error_frame, fault), headers)


class ClosingStream(StreamingResponse):
    """A stream that closes its frames' generator when the response ends, however it ends:
    Starlette leaves a generator its client walked away from to the garbage collector, and
    the stream would stay counted open until then."""

    def __init__(self, events: AsyncGenerator[bytes, None], headers: dict[str, str]) -> None:
        super().__init__(events, media_type="text/event-stream", headers=headers)
        self._events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._events.aclose()


async def send(
    emulator: Emulator, frames: Sequence[Frame], error_frame: ErrorFrame, fault: Fault | None
) -> AsyncGenerator[bytes, None]:
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
