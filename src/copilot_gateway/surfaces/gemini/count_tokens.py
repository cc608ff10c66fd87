"""POST /v1beta/models/{model}:countTokens: the prompt's tokens, counted offline in the
model's vocabulary as its chat translation would send it (see `contents`), its tool
declarations included. `contents` alone, or a whole `generateContentRequest`."""

from __future__ import annotations

from starlette.responses import Response

from ... import tokens
from ...access.models import require_model
from ...call import Call
from .contents import chat_messages
from .requests import chat_tools


async def countTokens(call: Call, model: str) -> Response:
    info = await require_model(call, model.removeprefix("models/"), "chat")
    call.record.translated = True
    nested = call.body.get("generateContentRequest")
    body, param = (nested, "generateContentRequest.contents") if nested else (call.body, "contents")
    messages = chat_messages(body, param)
    declared = [tool["function"] for tool in chat_tools(body)]
    total = tokens.count_prompt(messages, info.id)
    if declared:
        total += tokens.count([str(declaration) for declaration in declared], info.id)
    return call.answer("CountTokensResponse", {"totalTokens": total})
