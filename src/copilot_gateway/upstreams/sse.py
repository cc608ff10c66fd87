"""Reading an upstream's server-sent events, each event's JSON data in turn.

A stream is complete when it says so: `data: [DONE]`, or (for endpoints whose streams have a
last event of their own, see `base.Endpoint.ends_stream`) that event. One that stops before
was cut, and raises: a cut stream never passes for a whole one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable

import httpx

from ..errors import UpstreamFailed, UpstreamTimeout
from ..observability.metrics import count_upstream_error
from .base import Json
from .client import lenient_json, upstream_errors


async def chunks_within(response: httpx.Response, idle_timeout: float) -> AsyncIterator[bytes]:
    """The response's bytes as they come; a silence longer than idle_timeout ends it with
    UpstreamTimeout. The clock runs only while waiting for upstream, never while the
    consumer (a slow client) holds a chunk."""
    chunks = response.aiter_bytes()
    while True:
        try:
            async with asyncio.timeout(idle_timeout):
                chunk = await anext(chunks)
        except StopAsyncIteration:
            return
        except TimeoutError:
            count_upstream_error("stream_stall")
            message = f"The upstream stream stalled for more than {idle_timeout:g} s."
            raise UpstreamTimeout(message) from None
        yield chunk


async def iter_sse_data(
    response: httpx.Response, idle_timeout: float, final: Callable[[bytes], bool] | None = None
) -> AsyncGenerator[bytes]:
    """The `data` of each server-sent event, until `[DONE]` (which is not yielded).

    Read as bytes, split into lines here: one wait per network read rather than per line,
    and no decoding of what orjson reads as bytes anyway. A stream that ends without
    `[DONE]` was cut: that raises, it never ends quietly, unless its last event was one
    that `final` says ends a stream.
    """
    pending = b""  # an incomplete last line, until the rest arrives
    data: list[bytes] = []
    last = b""
    try:
        with upstream_errors():
            async for chunk in chunks_within(response, idle_timeout):
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    line = line.removesuffix(b"\r")
                    if line.startswith(b"data:"):
                        data.append(line[5:].removeprefix(b" "))
                    elif not line and data:
                        event, data = b"\n".join(data), []
                        if event == b"[DONE]":
                            return
                        last = event
                        yield event
            if pending.startswith(b"data:"):
                data.append(pending[5:].removeprefix(b" ").removesuffix(b"\r"))
            if data and b"\n".join(data) == b"[DONE]":
                return
            if final is not None:
                if data and final(b"\n".join(data)):  # its blank line never came: still whole
                    yield b"\n".join(data)
                    return
                if not data and last and final(last):
                    return
    finally:
        await response.aclose()
    count_upstream_error("stream_cut")
    raise UpstreamFailed("The upstream stream ended before it was complete.")


async def iter_sse_json(
    response: httpx.Response, idle_timeout: float, ends: Callable[[Json], bool] | None = None
) -> AsyncGenerator[Json]:
    """Each event's JSON object; an upstream error event or malformed event raises. `ends`
    says which event completes a stream without `[DONE]`. Closing this closes the response."""
    final = None if ends is None else _final(ends)
    async with contextlib.aclosing(iter_sse_data(response, idle_timeout, final)) as events:
        async for data in events:
            chunk = lenient_json(data)
            if not isinstance(chunk, dict):
                count_upstream_error("stream_malformed")
                raise UpstreamFailed("The upstream sent a malformed stream event.")
            if chunk.get("error") and not chunk.get("choices"):
                count_upstream_error("stream_error")
                error = chunk["error"] if isinstance(chunk["error"], dict) else {}
                raise UpstreamFailed(
                    f"The upstream failed mid-stream: {error.get('message', chunk['error'])}"
                )
            yield chunk


def _final(ends: Callable[[Json], bool]) -> Callable[[bytes], bool]:
    """`ends` on an event's raw data (asked only of a stream's last event)."""

    def final(data: bytes) -> bool:
        event = lenient_json(data)
        return isinstance(event, dict) and ends(event)

    return final
