"""Models Copilot serves natively on `/v1/messages`: requests pass through (with the
client's `anthropic-version` and `anthropic-beta`: see `endpoints`), answers and events are
checked and relayed as they are, so `thinking`, `cache_control` and the betas survive."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response

from ... import usage
from ...call import Call
from ...errors import UpstreamFailed
from ...upstreams.base import Json
from ..base import sse_response
from ..streams import guarded
from .endpoints import MESSAGES

# The events of Anthropic's streams; anything else an upstream adds (Copilot's private
# usage events) is not relayed.
EVENT_TYPES = frozenset(
    {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
    }
)


async def answer(call: Call, body: Json) -> Response:
    message = await call.upstream.call(MESSAGES, body, call.record, call.client_headers)
    call.record.add_usage(usage.chat_from_anthropic(message.get("usage")))
    return call.answer("Message", message)


async def relayed(call: Call, events: AsyncIterator[Json]) -> AsyncGenerator[bytes]:
    prompt: Json = {}
    output: Json = {}
    stopped = False
    async for event in events:
        kind = event.get("type")
        if kind not in EVENT_TYPES:
            continue
        if kind == "message_start":
            prompt = usage.chat_from_anthropic((event.get("message") or {}).get("usage"))
        elif kind == "message_delta":
            # Cumulative: the last one counts.
            output = usage.chat_from_anthropic(event.get("usage"))
        yield call.surface.sse_event(call.conforming("MessageStreamEvent", event), kind)
        stopped = kind == "message_stop"
    used = usage.chat_usage(prompt.get("prompt_tokens", 0), output.get("completion_tokens", 0))
    call.record.add_usage({**used, "prompt_tokens_details": prompt.get("prompt_tokens_details")})
    if not stopped:
        raise UpstreamFailed("The upstream stream ended before its message_stop event.")


async def stream(call: Call, body: Json) -> Response:
    events = await call.upstream.stream(MESSAGES, body, call.record, call.client_headers)
    return sse_response(guarded(call, relayed(call, events)))
