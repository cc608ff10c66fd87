"""POST /v1/chat/completions (and its alias POST /openai)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator

from starlette.responses import Response

from ...access.models import model_for_prompt
from ...call import Call
from ...ids import new_id, now
from ...upstreams.base import Json, ModelInfo
from ..base import sse_response
from ..streams import guarded
from .chat_answers import completed
from .chat_storage import keep, upstream_body
from .endpoints import CHAT, RESPONSES
from .responses.for_chat import chat_answer, chat_chunks, responses_request
from .streams import ChatStream


def include_usage(body: Json) -> bool:
    return bool((body.get("stream_options") or {}).get("include_usage"))


def through_responses(info: ModelInfo) -> bool:
    """A model served only on /responses: chat is translated there and back."""
    return not info.serves(CHAT) and info.serves(RESPONSES)


async def stream(call: Call, body: Json, info: ModelInfo) -> AsyncIterator[bytes]:
    """Open the upstream stream (errors here are plain HTTP errors), then relay it."""
    if through_responses(info):
        request = {**responses_request(upstream_body(body)), "stream": True}
        events = await call.upstream.stream(RESPONSES, request, call.record, call.client_headers)
        chunks = chat_chunks(events)
    else:
        chat_body = {
            **upstream_body(body),
            "stream_options": {**(body.get("stream_options") or {}), "include_usage": True},
        }
        chunks = await call.upstream.stream(CHAT, chat_body, call.record, call.client_headers)
    kept = functools.partial(keep, call, body) if body.get("store") else None
    relay = ChatStream(call, new_id("chatcmpl-"), now(), body, include_usage(body), kept)
    return guarded(call, relay.events(chunks))


async def createChatCompletion(call: Call) -> Response:
    info = await model_for_prompt(call, call.body["model"], lambda _: [call.body["messages"]])
    body = {**call.body, "model": info.id}
    call.record.translated = through_responses(info)
    if body.get("stream"):
        return sse_response(await stream(call, body, info))
    sent = upstream_body(body)
    if through_responses(info):
        answer = chat_answer(
            await call.upstream.call(
                RESPONSES, responses_request(sent), call.record, call.client_headers
            )
        )
    else:
        answer = await call.upstream.call(CHAT, sent, call.record, call.client_headers)
    result = completed(answer, body)
    call.record.add_usage(result["usage"])
    response = call.answer("CreateChatCompletionResponse", result)  # checked before it is kept
    await keep(call, body, result)
    return response
