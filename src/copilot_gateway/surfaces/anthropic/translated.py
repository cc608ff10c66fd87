"""Models served only on Chat Completions: the Messages request translated to chat (see
`translate`), the answer and the stream translated back."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response

from ... import tokens
from ...call import Call
from ...ids import new_id
from ...upstreams.base import CHAT, Json
from ..base import sse_response
from ..streams import guarded
from .translate import EventsFromChunks, chat_request, message_from_chat


async def answer(call: Call, body: Json) -> Response:
    request = chat_request(body)
    reply = await call.upstream.call(CHAT, request)
    generated = [
        text
        for choice in reply.get("choices") or []
        if isinstance(choice, dict)
        for text in tokens.generated_texts(choice.get("message") or {})
    ]
    usage = tokens.reported_or_counted(
        reply.get("usage"), body["model"], messages=request["messages"], generated=generated
    )
    call.record.add_usage(usage)
    return call.answer("Message", message_from_chat(reply, body["model"], new_id("msg_"), usage))


async def events(
    call: Call, body: Json, request: Json, chunks: AsyncIterator[Json]
) -> AsyncGenerator[bytes]:
    prompt = tokens.count_prompt(request["messages"], body["model"])
    converter = EventsFromChunks(new_id("msg_"), body["model"], prompt)

    def framed(events: list[Json]) -> list[bytes]:
        return [
            call.surface.sse_event(call.conforming("MessageStreamEvent", event), event["type"])
            for event in events
        ]

    for event in framed(converter.start()):
        yield event
    reported: object = None
    async for chunk in chunks:
        if isinstance(chunk.get("usage"), dict):
            reported = chunk["usage"]
        for event in framed(converter.feed(chunk)):
            yield event
    usage = tokens.reported_or_counted(
        reported, body["model"], messages=request["messages"], generated=["".join(converter.texts)]
    )
    call.record.add_usage(usage)
    for event in framed(converter.finish_events(usage)):
        yield event


async def stream(call: Call, body: Json) -> Response:
    request = chat_request(body)
    chunks = await call.upstream.stream(CHAT, request)
    return sse_response(guarded(call, events(call, body, request, chunks)))
