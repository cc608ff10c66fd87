"""The chat chunk relay: upstream chunks to client events, one async generator.

Every chat stream ends with `data: [DONE]`, or with an error event (see `surfaces.streams`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from ...call import Call
from ...upstreams.base import Json
from ..choices import StreamChoices
from .chat_storage import FoldedStream
from .envelope import envelope

DONE = b"data: [DONE]\n\n"


Kept = Callable[[Json], Awaitable[None]]  # what a stream hands its whole answer to


class ChatStream:
    """Relays upstream chat chunks under one id, and closes with usage when asked; with
    `kept`, hands it the whole answer, folded back into a completion, before it ends."""

    def __init__(
        self,
        call: Call,
        completion_id: str,
        created: int,
        request: Json,
        include_usage: bool,
        kept: Kept | None = None,
    ) -> None:
        self.call = call
        single = (request.get("n") or 1) == 1
        self.choices = StreamChoices(single, request["model"])
        self.completion_id = completion_id
        self.created = created
        self.request = request
        self.include_usage = include_usage
        self.kept = kept
        self.folded = FoldedStream() if kept is not None else None  # only what is kept

    def chunk(self, choices: list[Json], **extra: Any) -> bytes:
        if self.folded is not None:
            self.folded.read(choices)
        body = envelope(
            "chat.completion.chunk",
            self.completion_id,
            self.created,
            self.choices.model,
            choices,
            **extra,
        )
        checked = self.call.conforming("CreateChatCompletionStreamResponse", body)
        return self.call.surface.sse_event(checked)

    async def events(self, upstream: AsyncIterator[Json]) -> AsyncGenerator[bytes]:
        try:
            async for chunk in upstream:
                if choices := self.choices.read(chunk):
                    yield self.chunk(choices)
        except BaseException:
            # Ended early (the client left, the upstream failed): what was relayed is used.
            self.call.record.add_usage(self.choices.usage(self.request))
            raise
        if closing := self.choices.closing():
            yield self.chunk(closing)
        usage = self.choices.usage(self.request)
        self.call.record.add_usage(usage)
        if self.include_usage:
            yield self.chunk([], usage=usage)
        if self.kept is not None and self.folded is not None:  # kept before it is done
            whole = self.folded.completion(
                self.completion_id, self.created, self.choices.model, usage
            )
            await self.kept(self.call.conforming("CreateChatCompletionResponse", whole))
        yield DONE
