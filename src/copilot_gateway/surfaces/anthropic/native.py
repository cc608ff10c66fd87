"""Models Copilot serves natively on `/v1/messages`: requests pass through (with the
client's `anthropic-version` and `anthropic-beta`), answers and events are checked and
relayed as they are, so `thinking`, `cache_control` and the betas survive the trip."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response

from ...call import Call
from ...errors import UpstreamFailed
from ...upstreams.base import MESSAGES, Json
from ..base import sse_response
from ..streams import guarded

PASSED_HEADERS = (b"anthropic-version", b"anthropic-beta")
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


def passed_headers(call: Call) -> dict[str, str]:
    """The client's headers the upstream's Messages API reads."""
    return {
        name.decode(): value.decode("latin-1")
        for name, value in call.scope["headers"]
        if name in PASSED_HEADERS
    }


def usage_of(usage: object) -> Json:
    """Anthropic's usage as the record counts it (input includes cached reads and writes)."""
    if not isinstance(usage, dict):
        return {}
    prompt = sum(
        value
        for name in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
        if isinstance(value := usage.get(name), int)
    )
    out: Json = {"prompt_tokens": prompt}
    if isinstance(usage.get("output_tokens"), int):
        out["completion_tokens"] = usage["output_tokens"]
    return out


async def answer(call: Call, body: Json) -> Response:
    message = await call.upstream.call(MESSAGES, body, passed_headers(call))
    call.record.add_usage(usage_of(message.get("usage")))
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
            prompt = usage_of((event.get("message") or {}).get("usage"))
        elif kind == "message_delta":
            output = usage_of(event.get("usage"))  # cumulative: the last one counts
        yield call.surface.sse_event(call.conforming("MessageStreamEvent", event), kind)
        stopped = kind == "message_stop"
    call.record.add_usage(
        {
            "prompt_tokens": prompt.get("prompt_tokens", 0),
            "completion_tokens": output.get("completion_tokens", 0),
        }
    )
    if not stopped:
        raise UpstreamFailed("The upstream stream ended before its message_stop event.")


async def stream(call: Call, body: Json) -> Response:
    events = await call.upstream.stream(MESSAGES, body, passed_headers(call))
    return sse_response(guarded(call, relayed(call, events)))
