"""POST /v1/responses, GET and DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items.

A model the upstream serves on `/responses` gets the request passed through (natively);
every other model is served through chat, translated both ways. Either way the gateway
keeps the stored responses itself (see `state.responses`): the upstream gets the whole
input and `store: false`, so `previous_response_id` works on every upstream alike.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable

from starlette.responses import Response

from .... import usage
from ....access.models import model_for_prompt
from ....call import Call
from ....errors import InvalidRequest, NotFound, UpstreamFailed
from ....ids import new_id, now
from ....state.responses import StoredResponse
from ....upstreams.base import Json
from ...base import sse_response
from ...streams import guarded
from ..chat_answers import completed
from ..endpoints import CHAT, RESPONSES, RESPONSES_TERMINAL_EVENTS
from .compaction import expanded
from .events import ChatToResponseEvents, ResponseEvents
from .objects import (
    as_sent_upstream,
    response_from_chat,
    response_object,
    with_every_field,
    with_item_ids,
)
from .requests import chat_request, input_items, messages_of, refuse_unsupported

# What the gateway decides for the upstream: it keeps the state itself. Copilot keeps none
# over HTTP (400 to `store: true`, `background: true`, `previous_response_id`): it gets the
# whole conversation as `input` and `store: false`, as Codex sends it (and as an OpenAI
# upstream must be told, whose default is to store).
GATEWAY_OWNED = ("previous_response_id", "store", "background", "conversation")


def owner_of(call: Call) -> str:
    return call.caller or ""  # without keys, every caller is the same one


def not_found(response_id: str, param: str | None = None) -> NotFound:
    return NotFound(
        f"Response with id '{response_id}' not found.", param=param, code="response_not_found"
    )


class Turn:
    """One createResponse call: its id, its input, what it continues, whether it is kept."""

    def __init__(self, call: Call, body: Json, earlier: list[Json]) -> None:
        self.call = call
        self.body = body
        self.id = new_id("resp_")
        self.created_at = now()
        given = input_items(body)
        self.items = with_item_ids(given)  # as listed
        self.context = earlier + as_sent_upstream(self.items, given)  # what the model sees
        self.sent = expanded(self.context)  # as the upstream gets it
        self.store = body.get("store") is not False
        self.native = False  # the upstream serves it on `/responses` (see `opened_turn`)
        self.response: Json | None = None  # the finished response, once kept

    def echoed(self, response: Json) -> Json:
        """The upstream's (or our) response under our id, echoing what the gateway decided."""
        ours = {
            **response,
            "id": self.id,
            "previous_response_id": self.body.get("previous_response_id"),
            "store": self.store,
            "metadata": self.body.get("metadata") or response.get("metadata") or {},
        }
        return with_every_field(ours, self.body)

    async def keep(self, response: Json, chat_usage: Json | None) -> None:
        """Record its usage (in chat's terms, as the record counts), and store it if asked."""
        self.response = response
        self.call.record.add_usage(chat_usage)
        if self.store:
            stored = StoredResponse(response, self.items, self.context)
            await self.call.gateway.responses.put(owner_of(self.call), stored)

    def native_body(self, stream: bool) -> Json:
        body = {key: value for key, value in self.body.items() if key not in GATEWAY_OWNED}
        return {**body, "input": self.sent, "store": False, "stream": stream}


def native_usage(response: Json) -> Json | None:
    """A native upstream's Response usage, in chat's terms."""
    reported = response.get("usage")
    return usage.chat_from_responses(reported) if isinstance(reported, dict) else None


async def earlier_context(call: Call, body: Json) -> list[Json]:
    previous_id = body.get("previous_response_id")
    if not previous_id:
        return []
    previous = await call.gateway.responses.get(owner_of(call), previous_id)
    if previous is None:
        raise not_found(previous_id, "previous_response_id")
    return previous.context + previous.response.get("output", [])


# Where a turn's earlier context comes from: the stored responses (over HTTP), or first the
# connection's last response (over a WebSocket: see `openai.responses_socket`).
EarlierContext = Callable[[Call, Json], Awaitable[list[Json]]]


async def createResponse(call: Call) -> Response:
    turn = await opened_turn(call, call.body)
    if turn.body.get("stream"):
        events = ResponseEvents(call)
        return sse_response(guarded(call, await streamed(turn, events), events.error_event))
    response, chat_usage = await answered(turn)
    answer = call.answer("Response", response)  # checked before it is stored
    await turn.keep(response, chat_usage)
    return answer


async def opened_turn(call: Call, body: Json, earlier_of: EarlierContext = earlier_context) -> Turn:
    """The turn a request makes, on the model it names, its context found; `turn.native`
    says whether the upstream serves it on `/responses`. Refused before any upstream call
    when the request cannot be served."""
    if not isinstance(body.get("model"), str):
        # The spec leaves it optional (a prompt template may name one); templates are not served.
        raise InvalidRequest("Missing required parameter: 'model'.", param="model")
    refuse_unsupported(body)
    earlier = await earlier_of(call, body)
    # Counted as chat messages, on either route (what chat cannot take counts as its JSON).
    context = expanded(earlier + input_items(body))
    info = await model_for_prompt(
        call,
        body["model"],
        lambda _: [messages_of(body.get("instructions"), context, counting=True)],
        param="input",
    )
    body = {**body, "model": info.id}  # an alias or a dated name, as the upstream knows it
    turn = Turn(call, body, earlier)
    turn.native = info.serves(RESPONSES)
    call.record.translated = not turn.native
    return turn


async def streamed(turn: Turn, events: ResponseEvents) -> AsyncGenerator[bytes]:
    """The turn's events, framed by `events`: the one event source of every transport."""
    return await (native_stream(turn, events) if turn.native else translated_stream(turn, events))


async def answered(turn: Turn) -> tuple[Json, Json | None]:
    """The turn's finished Response (not streamed), and its usage in chat's terms."""
    call, body = turn.call, turn.body
    if turn.native:
        response = turn.echoed(
            await call.upstream.call(
                RESPONSES, turn.native_body(False), call.record, call.client_headers
            )
        )
        return response, native_usage(response)
    chat_body = chat_request(body, turn.sent)
    completion = completed(
        await call.upstream.call(CHAT, chat_body, call.record, call.client_headers), chat_body
    )
    return response_from_chat(completion, body, turn.id, turn.created_at), completion["usage"]


async def translated_stream(turn: Turn, events: ResponseEvents) -> AsyncGenerator[bytes]:
    """Open the chat stream (errors here are plain HTTP errors), then translate it."""
    chat_body = chat_request(turn.body, turn.sent)
    upstream = {**chat_body, "stream": True, "stream_options": {"include_usage": True}}
    chunks = await turn.call.upstream.stream(
        CHAT, upstream, turn.call.record, turn.call.client_headers
    )
    opening = response_object(turn.body, turn.id, turn.created_at, "in_progress")
    translator = ChatToResponseEvents(turn.body, chat_body, opening)

    async def relay() -> AsyncGenerator[bytes]:
        for event in translator.opening():
            yield events.event(event)
        async for chunk in chunks:
            for event in translator.chunk(chunk):
                yield events.event(event)
        closing = translator.closing()
        # Stored before the client hears it is done.
        await turn.keep(translator.response, translator.chat_usage)
        for event in closing:
            yield events.event(event)

    return relay()


async def native_stream(turn: Turn, events: ResponseEvents) -> AsyncGenerator[bytes]:
    """Open the upstream's Responses stream, then relay its events under our id, numbered
    afresh, until its last one (Responses streams end without `[DONE]`)."""
    upstream = await turn.call.upstream.stream(
        RESPONSES, turn.native_body(stream=True), turn.call.record, turn.call.client_headers
    )

    async def relay() -> AsyncGenerator[bytes]:
        try:
            async for event in upstream:
                kind = event.get("type")
                if isinstance(event.get("response"), dict):
                    event = {**event, "response": turn.echoed(event["response"])}
                    if kind in RESPONSES_TERMINAL_EVENTS:
                        await turn.keep(event["response"], native_usage(event["response"]))
                yield events.event(event)
                if kind in RESPONSES_TERMINAL_EVENTS:
                    return
        finally:
            await upstream.aclose()
        raise UpstreamFailed("The upstream stream ended before the response was complete.")

    return relay()


async def stored(call: Call, response_id: str) -> StoredResponse:
    found = await call.gateway.responses.get(owner_of(call), response_id)
    if found is None:
        raise not_found(response_id)
    return found


async def getResponse(call: Call, response_id: str) -> Response:
    # Kept as answered; one kept before every field was answered gets them now.
    return call.answer("Response", with_every_field((await stored(call, response_id)).response))


async def deleteResponse(call: Call, response_id: str) -> Response:
    if not await call.gateway.responses.delete(owner_of(call), response_id):
        raise not_found(response_id)
    deleted = {"id": response_id, "object": "response", "deleted": True}
    return call.answer("DeletedResponse", deleted)


async def listInputItems(
    call: Call,
    response_id: str,
    limit: int = 20,
    order: str = "desc",
    after: str | None = None,
    include: list[str] | None = None,
) -> Response:
    items = (await stored(call, response_id)).input_items
    if order == "desc":
        items = items[::-1]
    if after is not None:
        ids = [item.get("id") for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[: max(1, min(limit, 100))]
    listed = {
        "object": "list",
        "data": page,
        "has_more": len(items) > len(page),
        "first_id": page[0]["id"] if page else "",
        "last_id": page[-1]["id"] if page else "",
    }
    return call.answer("ResponseItemList", listed)
