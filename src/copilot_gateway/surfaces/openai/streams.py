"""The chat chunk relay: upstream chunks to client events, one async generator.

Every chat stream ends with `data: [DONE]`, or with an error event (see `surfaces.streams`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any

from ... import tokens
from ...call import Call
from ...upstreams.base import Json
from .choices import StreamChoices
from .envelope import envelope

DONE = b"data: [DONE]\n\n"


class ChatStream:
    """Relays upstream chat chunks under one id, and closes with usage when asked."""

    def __init__(
        self, call: Call, completion_id: str, created: int, request: Json, include_usage: bool
    ) -> None:
        self.call = call
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
        body = envelope(
            "chat.completion.chunk", self.completion_id, self.created, model, choices, **extra
        )
        checked = self.call.conforming("CreateChatCompletionStreamResponse", body)
        return self.call.surface.sse_event(checked)

    async def events(self, upstream: AsyncIterator[Json]) -> AsyncGenerator[bytes]:
        model = self.request["model"]
        try:
            async for chunk in upstream:
                if isinstance(chunk.get("usage"), dict):
                    self.usage = chunk["usage"]
                model = chunk.get("model") or model
                normalised = (
                    self.choices.normalise(c)
                    for c in chunk.get("choices") or []
                    if isinstance(c, dict)
                )
                choices = [choice for choice in normalised if choice]
                if not choices:
                    continue  # e.g. Copilot's opening prompt-filter chunk, or the usage chunk
                self.remember(choices)
                yield self.chunk(choices, model)
        except BaseException:
            # Ended early (the client left, the upstream failed): what was relayed is used.
            self.call.record.add_usage(self.counted_usage(None, model))
            raise
        if closing := self.choices.closing():
            yield self.chunk(closing, model)
        usage = self.counted_usage(self.usage, model)
        self.call.record.add_usage(usage)
        if self.include_usage:
            yield self.chunk([], model, usage=usage)
        yield DONE

    def counted_usage(self, reported: Json | None, model: str) -> Json:
        return tokens.reported_or_counted(
            reported, model, messages=self.request.get("messages", []), generated=self.generated()
        )

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

    def generated(self) -> Iterator[str]:
        """What was generated, whole per choice and call (pieces would tokenize differently);
        joined only if usage must be counted."""
        for parts in self.content.values():
            yield "".join(parts)
        for name, *arguments in self.tool_calls.values():
            yield name
            yield "".join(arguments)
