"""POST /v1/responses/compact (Codex's remote compaction): the model, on its own route,
summarises the conversation; the answer is the user's messages and one `compaction` item
holding the summary (see `compaction`), which replaces the conversation from then on."""

from __future__ import annotations

from starlette.responses import Response

from .... import usage
from ....call import Call
from ....errors import InvalidRequest
from ....ids import new_id, now
from ....upstreams.base import Json
from .compaction import compaction_item, kept_through_compaction, summary_request
from .handlers import answered, opened_turn
from .objects import output_text
from .requests import input_items

# What of the request shapes the summary; the rest (tools, text formats) would only get in
# the way of a plain summary.
PASSED = ("model", "instructions", "previous_response_id", "reasoning", "prompt_cache_key")


async def compacted(call: Call, body: Json) -> Json:
    """The compacted conversation of a request (in the compact endpoint's shape)."""
    given = input_items(body)
    if not given and not body.get("previous_response_id"):
        raise InvalidRequest(
            "There is no conversation to compact: 'input' is empty.", param="input"
        )
    request: Json = {key: body[key] for key in PASSED if body.get(key) is not None}
    request["input"] = [*given, summary_request()]
    request["store"] = False
    turn, native = await opened_turn(call, request)
    response, chat_usage = await answered(turn, native)
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
