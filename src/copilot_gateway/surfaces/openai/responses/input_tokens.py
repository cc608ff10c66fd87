"""POST /v1/responses/input_tokens: the input tokens a Responses request would send.

Claude models (those the upstream serves on `/v1/messages`) are counted by the upstream
(Copilot counts with Claude's own tokenizer), asked with the request as a Messages body;
the rest, and any count the upstream cannot give, offline with the model's encoding, as
the prompt limit counts (see `tokens`). A count is advice: an upstream failure costs the
client the exact count, never the answer.
"""

from __future__ import annotations

import logging

import orjson
from starlette.responses import Response

from .... import tokens
from ....access.models import require_model
from ....call import Call
from ....content import content_text
from ....errors import GatewayError, InvalidRequest
from ....upstreams.base import Json
from ..endpoints import MESSAGES_COUNT_TOKENS, MESSAGES_PATH
from .compaction import expanded
from .handlers import earlier_context
from .requests import input_items, messages_of, refuse_unsupported, tool_as_chat

log = logging.getLogger(__name__)


def function_tools(body: Json) -> list[Json]:
    return [tool for tool in body.get("tools") or [] if tool.get("type") == "function"]


def offline_count(messages: list[Json], tools: list[Json], model: str) -> int:
    counted = tokens.count_prompt(messages, model)
    if tools:
        counted += tokens.count([orjson.dumps([tool_as_chat(t) for t in tools]).decode()], model)
    return counted


def as_messages_body(model: str, messages: list[Json], tools: list[Json]) -> Json | None:
    """Chat messages as a Messages count body (text only, turns of one role merged), or
    None when nothing is left to count there."""
    system = [content_text(m.get("content")) for m in messages if m["role"] == "system"]
    turns: list[Json] = []
    for message in messages:
        if message["role"] == "system":
            continue
        role = "assistant" if message["role"] == "assistant" else "user"
        text = "\n".join(t for t in tokens.generated_texts(message) if t)
        if not text:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n" + text
        else:
            turns.append({"role": role, "content": text})
    if not turns:
        return None
    body: Json = {"model": model, "messages": turns}
    if any(system):
        body["system"] = "\n".join(text for text in system if text)
    if tools:
        body["tools"] = [
            {
                "name": tool["name"],
                "description": tool.get("description") or "",
                "input_schema": tool.get("parameters") or {"type": "object"},
            }
            for tool in tools
        ]
    return body


async def upstream_count(call: Call, body: Json) -> int | None:
    try:
        answer = await call.upstream.call(
            MESSAGES_COUNT_TOKENS, body, call.record, call.client_headers
        )
    except GatewayError as error:
        log.warning(
            "upstream count_tokens failed (%s %s): counted offline", error.status, error.code
        )
        return None
    counted = answer.get("input_tokens")
    if isinstance(counted, int) and not isinstance(counted, bool) and counted >= 0:
        return counted
    log.warning("upstream count_tokens answered no count: counted offline")
    return None


def refuse_images_without_a_source(items: list[Json]) -> None:
    """An image that names neither a URL nor a file is nothing to count (nor to send)."""
    for index, item in enumerate(items):
        content = item.get("content")
        for number, part in enumerate(content if isinstance(content, list) else []):
            if part.get("type") == "input_image" and not (
                part.get("image_url") or part.get("file_id")
            ):
                raise InvalidRequest(
                    "An input_image needs an image_url or a file_id.",
                    param=f"input[{index}].content[{number}].image_url",
                )


async def Getinputtokencounts(call: Call) -> Response:
    body = call.body
    if not isinstance(body.get("model"), str):
        raise InvalidRequest("Missing required parameter: 'model'.", param="model")
    refuse_unsupported(body)
    refuse_images_without_a_source(input_items(body))
    context = expanded(await earlier_context(call, body) + input_items(body))
    messages = messages_of(body.get("instructions"), context, counting=True)
    info = await require_model(call, body["model"], "chat")
    tools = function_tools(body)
    claude_body = as_messages_body(info.id, messages, tools)
    counted = None
    if MESSAGES_PATH in info.endpoints and claude_body is not None:
        counted = await upstream_count(call, claude_body)
    if counted is None:
        counted = offline_count(messages, tools, info.id)
    answer = {"object": "response.input_tokens", "input_tokens": counted}
    return call.answer("TokenCountsResource", answer)
