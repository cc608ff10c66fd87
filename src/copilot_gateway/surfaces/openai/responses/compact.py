"""Compaction on request (Codex's remote compaction): the model, on its own route,
summarises the conversation into one `compaction` item (see `compaction`), which replaces
the conversation from then on.

Two ways of asking: `POST /v1/responses/compact`, answered with the user's messages and the
item; and a `POST /v1/responses` whose input ends with a `compaction_trigger` item (newer
Codex), answered with a Response (streamed or not) whose one output item is the compaction.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.responses import Response

from .... import usage
from ....call import Call
from ....errors import InvalidRequest
from ....ids import new_id, now
from ....upstreams.base import Json
from ...base import sse_response
from ...streams import guarded
from . import handlers
from .compaction import compaction_item, is_trigger, kept_through_compaction, summary_request
from .events import ResponseEvents
from .handlers import EarlierContext, answered, earlier_context, opened_turn
from .objects import finished, output_text, response_object
from .requests import input_items

# What of the request shapes the summary; the rest (tools, text formats) would only get in
# the way of a plain summary.
PASSED = ("model", "instructions", "previous_response_id", "reasoning", "prompt_cache_key")


async def compacted(call: Call, body: Json, earlier_of: EarlierContext = earlier_context) -> Json:
    """The compacted conversation of a request (in the compact endpoint's shape), what it
    continues found by `earlier_of`."""
    given = input_items(body)
    if not given and not body.get("previous_response_id"):
        raise InvalidRequest(
            "There is no conversation to compact: 'input' is empty.", param="input"
        )
    request: Json = {key: body[key] for key in PASSED if body.get(key) is not None}
    request["input"] = [*given, summary_request()]
    request["store"] = False
    turn = await opened_turn(call, request, earlier_of)
    response, chat_usage = await answered(turn)
    call.record.add_usage(chat_usage)
    reported = response.get("usage")
    if not isinstance(reported, dict):
        reported = usage.responses_from_chat(chat_usage or {})
    kept = kept_through_compaction(turn.context[:-1])  # not the request for the summary
    return {
        "id": new_id("resp_"),
        "object": "response.compaction",
        "output": [*kept, compaction_item(output_text(response))],
        "created_at": now(),
        "usage": reported,
    }


async def Compactconversation(call: Call) -> Response:
    return call.answer("CompactResource", await compacted(call, call.body))


def asks_compaction(body: Json) -> bool:
    """Whether a createResponse body is a compaction: its input ends with the trigger."""
    items = input_items(body)
    return bool(items) and is_trigger(items[-1])


async def compaction_turn(
    call: Call, body: Json, earlier_of: EarlierContext = earlier_context
) -> tuple[Json, Json, Json]:
    """The compaction a trigger asks for, as a Response: its opening snapshot, its one item
    and the finished Response."""
    body = {**body, "input": input_items(body)[:-1]}
    compaction = await compacted(call, body, earlier_of)
    opening = response_object(body, new_id("resp_"), now(), "in_progress")
    item = compaction["output"][-1]
    return opening, item, finished(opening, [item], compaction["usage"], "stop")


async def compaction_events(
    call: Call, body: Json, events: ResponseEvents, earlier_of: EarlierContext = earlier_context
) -> AsyncGenerator[bytes]:
    """The compaction as a Response's events, framed by `events` (SSE or a WebSocket's)."""
    opening, item, done = await compaction_turn(call, body, earlier_of)

    async def relay() -> AsyncGenerator[bytes]:
        yield events.event({"type": "response.created", "response": opening})
        yield events.event({"type": "response.in_progress", "response": opening})
        for kind in ("response.output_item.added", "response.output_item.done"):
            yield events.event({"type": kind, "output_index": 0, "item": item})
        yield events.event({"type": "response.completed", "response": done})

    return relay()


async def createResponse(call: Call) -> Response:
    """POST /v1/responses: a compaction when the input ends with its trigger, else a turn."""
    if not asks_compaction(call.body):
        return await handlers.createResponse(call)
    if not call.body.get("stream"):
        return call.answer("Response", (await compaction_turn(call, call.body))[2])
    events = ResponseEvents(call)
    relay = await compaction_events(call, call.body, events)
    return sse_response(guarded(call, relay, events.error_event))
