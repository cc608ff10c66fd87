"""AI Credits as Copilot bills them: its `copilot_usage` object, read wherever Copilot puts
it, noted in the request's record, and taken out of what reaches the surfaces. It knows the
field, not who sent it: the copilot upstream reads its answers with it, and so does the
openai one (a Copilot-compatible server in front of Copilot passes the field on).

`copilot_usage` is `{token_details: [{token_type, token_count, batch_size, cost_per_batch}],
total_nano_aiu}` (1 credit = 1e9 nano-AIU). Copilot puts it:

- chat: at the top level of the answer, beside `usage`; in a stream, on a late chunk (often
  one of its own, `{"choices": [], "copilot_usage": ...}`), so every chunk is read;
- Responses: at the top level of the terminal event, beside `response` (some proxies also
  read `response.copilot_usage`), and at the top level of a non-streamed answer;
- Messages: at the top level of the message, and on the stream's `message_delta`.

VS Code's types put it inside `usage`: that place is read too.

Neither OpenAI's nor Anthropic's SDKs know the field, so no surface passes it on: it is
removed here, and a chat chunk that carried nothing else is not passed on at all.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from ..json_numbers import non_negative
from .base import CallRecord, EventStream, Json

FIELD = "copilot_usage"
HOLDERS = ("response", "usage")  # where else in a document Copilot (or its types) put it
# (`noted_events` tests these names inline: a stream's hot loop.)


def nano_aiu(copilot_usage: object) -> int | None:
    """The bill of one `copilot_usage`: its `total_nano_aiu`, else the sum of its
    `token_details`; None for one that says neither."""
    if not isinstance(copilot_usage, dict):
        return None
    total = non_negative(copilot_usage.get("total_nano_aiu"))
    if total is not None:
        return round(total)
    details = copilot_usage.get("token_details")
    if not isinstance(details, list):
        return None
    cost = 0.0
    for item in details:
        if not isinstance(item, dict):
            continue
        count = non_negative(item.get("token_count")) or 0.0
        per_batch = non_negative(item.get("cost_per_batch")) or 0.0
        batch = non_negative(item.get("batch_size")) or 0.0
        cost += count * per_batch / batch if batch else 0.0
    return round(cost)


def _holders(document: Json) -> list[Json]:
    """The objects of a document that hold a `copilot_usage`, the top level first."""
    found = (document, *(document.get(name) for name in HOLDERS))
    return [holder for holder in found if isinstance(holder, dict) and FIELD in holder]


def bill_of(document: Json) -> int | None:
    """The bill a Copilot answer or stream event carries, if it carries one."""
    holders = _holders(document)
    return nano_aiu(holders[0][FIELD]) if holders else None


def without_bill(document: Json) -> Json:
    """The document without `copilot_usage` anywhere Copilot puts it (a copy)."""
    document = {key: value for key, value in document.items() if key != FIELD}
    for name in HOLDERS:
        holder = document.get(name)
        if isinstance(holder, dict) and FIELD in holder:
            document[name] = {key: value for key, value in holder.items() if key != FIELD}
    return document


def only_a_bill(chunk: Json) -> bool:
    """A chat chunk that, its bill taken out, holds nothing a client reads: no choices, no
    usage (Copilot's late `{"choices": [], "copilot_usage": ...}`)."""
    return chunk.get("choices") == [] and not chunk.get("usage")


def noted_answer(answer: Json, record: CallRecord) -> Json:
    """A non-streamed answer: its bill noted, then taken out."""
    if not _holders(answer):
        return answer
    if (bill := bill_of(answer)) is not None:
        record.add_nano_aiu(bill)
    return without_bill(answer)


async def noted_events(events: EventStream, record: CallRecord) -> AsyncGenerator[Json]:
    """A stream's events, each bill noted as it comes and taken out. One call has one bill:
    should Copilot send it twice (on two chunks, or again on a later event), the last one
    counts, not their sum."""
    billed = 0
    try:
        async for event in events:
            # Most events hold none of the places a bill sits: three lookups pass them on.
            if FIELD not in event and "response" not in event and "usage" not in event:
                yield event
                continue
            if not _holders(event):
                yield event
                continue
            if (bill := bill_of(event)) is not None:
                record.add_nano_aiu(bill - billed)
                billed = bill
            event = without_bill(event)
            if not only_a_bill(event):
                yield event
    finally:
        await events.aclose()
