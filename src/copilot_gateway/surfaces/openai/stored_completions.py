"""GET /v1/chat/completions, GET, POST and DELETE /v1/chat/completions/{completion_id}, GET
/v1/chat/completions/{completion_id}/messages: the chat completions created with `store:
true` (see `chat_storage`), each the key's that created it; another key's is a 404."""

from __future__ import annotations

from starlette.responses import Response

from ...call import Call
from ...errors import NotFound
from ...state.completions import CompletionQuery, Order, StoredCompletion
from ...upstreams.base import Json

MAX_PAGE = 100


def page_size(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


def listed(data: list[Json], has_more: bool) -> Json:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else "",
        "last_id": data[-1]["id"] if data else "",
        "has_more": has_more,
    }


def not_found(completion_id: str) -> NotFound:
    return NotFound(f"No chat completion found with id '{completion_id}'.", param="completion_id")


async def stored(call: Call, completion_id: str) -> StoredCompletion:
    found = await call.gateway.completions.get(call.owner, completion_id)
    if found is None:
        raise not_found(completion_id)
    return found


async def listChatCompletions(
    call: Call,
    model: str | None = None,
    metadata: dict[str, str] | None = None,
    after: str | None = None,
    limit: int = 20,
    order: Order = "asc",
) -> Response:
    query = CompletionQuery(model, metadata or {}, after, page_size(limit), order)
    page = await call.gateway.completions.list(call.owner, query)
    return call.answer("ChatCompletionList", listed(page.completions, page.has_more))


async def getChatCompletion(call: Call, completion_id: str) -> Response:
    completion = (await stored(call, completion_id)).completion
    return call.answer("CreateChatCompletionResponse", completion)


async def updateChatCompletion(call: Call, completion_id: str) -> Response:
    metadata = call.body["metadata"] or {}  # null clears it, as an empty map does
    changed = await call.gateway.completions.update_metadata(call.owner, completion_id, metadata)
    if changed is None:
        raise not_found(completion_id)
    return call.answer("CreateChatCompletionResponse", changed.completion)


async def deleteChatCompletion(call: Call, completion_id: str) -> Response:
    if not await call.gateway.completions.delete(call.owner, completion_id):
        raise not_found(completion_id)
    deleted = {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}
    return call.answer("ChatCompletionDeleted", deleted)


async def getChatCompletionMessages(
    call: Call,
    completion_id: str,
    after: str | None = None,
    limit: int = 20,
    order: Order = "asc",
) -> Response:
    messages = (await stored(call, completion_id)).messages
    page, has_more = paged(messages, after, page_size(limit), order)
    return call.answer("ChatCompletionMessageList", listed(page, has_more))


def paged(
    items: list[Json], after: str | None, limit: int, order: Order
) -> tuple[list[Json], bool]:
    """One page of items with ids, in `order`, after the one whose id is `after` (none if no
    item has it); and whether more follow."""
    ordered = items[::-1] if order == "desc" else items
    if after is not None:
        ids = [item["id"] for item in ordered]
        ordered = ordered[ids.index(after) + 1 :] if after in ids else []
    return ordered[:limit], len(ordered) > limit
