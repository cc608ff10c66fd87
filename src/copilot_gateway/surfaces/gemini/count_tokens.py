"""POST /v1beta/models/{model}:countTokens: `contents` alone, or a whole
`generateContentRequest`. For a model the upstream serves on `/v1/messages` (Copilot's
Claude models), Copilot's own count, asked as a Messages request (see `messages`); for the
rest, and whenever the upstream cannot count (see `anthropic.count_tokens`), counted
offline in the model's vocabulary as the chat translation would send it, its tool
declarations included."""

from __future__ import annotations

import orjson
from starlette.responses import Response

from ... import tokens
from ...access.models import require_model
from ...call import Call
from ..anthropic.count_tokens import upstream_count
from ..anthropic.endpoints import MESSAGES
from .contents import chat_messages
from .messages import messages_body
from .requests import chat_tools


async def countTokens(call: Call, model: str) -> Response:
    info = await require_model(call, model.removeprefix("models/"), "chat")
    call.record.translated = True
    nested = call.body.get("generateContentRequest")
    body, param = (nested, "generateContentRequest.contents") if nested else (call.body, "contents")
    messages = chat_messages(body, param)
    tools = chat_tools(body)
    total = None
    if MESSAGES.path in info.endpoints:
        total = await upstream_count(call, messages_body(info.id, messages, tools))
    if total is None:
        total = tokens.count_prompt(messages, info.id)
        if tools:
            total += tokens.count([orjson.dumps(tools).decode()], info.id)
    return call.answer("CountTokensResponse", {"totalTokens": total})
