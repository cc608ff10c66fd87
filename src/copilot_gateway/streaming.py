"""Server-sent events to the client: framing, and the chat chunk relay.

One async generator from upstream chunks to client bytes. Every stream ends with
`data: [DONE]`, or with an error event the client can see: never silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from starlette.responses import StreamingResponse

from . import tokens
from .choices import StreamChoices
from .errors import GatewayError, InternalError, UpstreamUnavailable, sse_error_event
from .metrics import STREAMS_OPEN
from .record import note_usage
from .shutdown import Draining
from .upstreams.base import Json

log = logging.getLogger(__name__)

DONE = b"data: [DONE]\n\n"


def event(body: Any) -> bytes:
    return b"data: " + orjson.dumps(body) + b"\n\n"


def sse_response(events: AsyncIterator[bytes]) -> StreamingResponse:
    # No buffering anywhere: proxies are told so too (X-Accel-Buffering).
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def guarded(events: AsyncIterator[bytes], draining: Draining) -> AsyncIterator[bytes]:
    """Turn a failure after the headers were sent into an error event, then end; and end
    with one too when the gateway shuts down before the stream is done."""
    try:
        with STREAMS_OPEN.track_inprogress():
            async with asyncio.timeout(None) as deadline:
                draining.track(deadline)
                try:
                    async for chunk in events:
                        yield chunk
                finally:
                    draining.untrack(deadline)
    except TimeoutError:
        message = "The gateway is shutting down: the stream was ended before it was complete."
        yield sse_error_event(UpstreamUnavailable(message, code="gateway_shutting_down"))
    except GatewayError as error:
        log.warning("stream failed: %s", error.message)
        yield sse_error_event(error)
    except Exception:
        log.exception("stream failed unexpectedly")
        yield sse_error_event(InternalError("The stream failed unexpectedly."))


class ChatStream:
    """Relays upstream chat chunks under one id, and closes with usage when asked."""

    def __init__(
        self,
        completion_id: str,
        created: int,
        request: Json,
        include_usage: bool,
        conforming: Callable[[str, Json], Json],
    ) -> None:
        self.conforming = conforming
        self.choices = StreamChoices(single=(request.get("n") or 1) == 1)
        self.completion_id = completion_id
        self.created = created
        self.request = request
        self.include_usage = include_usage
        self.usage: Json | None = None
        # What was generated, per choice and per tool call, to count usage if need be.
        self.content: dict[int, list[str]] = {}
        self.tool_calls: dict[tuple[int, int], list[str]] = {}

    def chunk(self, choices: list[Json], model: str, **extra: Any) -> bytes:
        body = {
            "id": self.completion_id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": model,
            "choices": choices,
            **extra,
        }
        return event(self.conforming("CreateChatCompletionStreamResponse", body))

    async def events(self, upstream: AsyncIterator[Json]) -> AsyncIterator[bytes]:
        model = self.request["model"]
        async for chunk in upstream:
            if isinstance(chunk.get("usage"), dict):
                self.usage = chunk["usage"]
            model = chunk.get("model") or model
            normalised = (
                self.choices.normalise(c) for c in chunk.get("choices") or [] if isinstance(c, dict)
            )
            choices = [choice for choice in normalised if choice]
            if not choices:
                continue  # e.g. Copilot's opening prompt-filter chunk, or the usage chunk
            self.remember(choices)
            yield self.chunk(choices, model)
        if closing := self.choices.closing():
            yield self.chunk(closing, model)
        usage = self.usage or self.counted_usage(model)
        note_usage(usage)
        if self.include_usage:
            yield self.chunk([], model, usage=usage)
        yield DONE

    def remember(self, choices: list[Json]) -> None:
        for choice in choices:
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                self.content.setdefault(choice["index"], []).append(delta["content"])
            for call in delta.get("tool_calls") or []:
                function = call.get("function") or {}
                parts = self.tool_calls.setdefault((choice["index"], call.get("index", 0)), [""])
                if function.get("name"):
                    parts[0] = function["name"]
                parts.append(function.get("arguments") or "")

    def counted_usage(self, model: str) -> Json:
        """Usage counted as for a whole answer (pieces would tokenize differently)."""
        generated = ["".join(parts) for parts in self.content.values()]
        generated += [
            text for parts in self.tool_calls.values() for text in (parts[0], "".join(parts[1:]))
        ]
        prompt = tokens.count_prompt(self.request.get("messages", []), model)
        return tokens.usage(prompt, tokens.count(generated, model))
