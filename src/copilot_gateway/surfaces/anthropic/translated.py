"""Models served only on Chat Completions: the Messages request translated to chat (see
`translate`), the answer and the stream translated back."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response

from ... import tokens
from ...call import Call
from ...ids import new_id
from ...upstreams.base import Json
from ..base import sse_response
from ..choices import answer_usage, the_choice
from ..openai.endpoints import CHAT
from ..streams import guarded
from .translate import EventsFromChunks, chat_request, message_from_choice


async def answer(call: Call, body: Json) -> Response:
    request = chat_request(body)
    reply = await call.upstream.call(CHAT, request, call.record, call.client_headers)
    choice = the_choice(reply)
    usage = answer_usage(reply, [choice], request)
    call.record.add_usage(usage)
    message = message_from_choice(choice, body["model"], new_id("msg_"), usage)
    return call.answer("Message", message)


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
    async for chunk in chunks:
        for event in framed(converter.feed(chunk)):
            yield event
    usage = converter.choices.usage(request)
    call.record.add_usage(usage)
    for event in framed(converter.finish_events(usage)):
        yield event


async def stream(call: Call, body: Json) -> Response:
    request = chat_request(body)
    chunks = await call.upstream.stream(CHAT, request, call.record, call.client_headers)
    return sse_response(guarded(call, events(call, body, request, chunks)))
