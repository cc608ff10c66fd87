"""POST /v1/messages/count_tokens: counted offline, with the o200k_base tokenizer.

Claude's tokenizer is not public: the count is the request as the chat translation would
send it (system, messages, tool results, and the tools' JSON; content it could not send
counts as its JSON), tokenized as OpenAI's models do. It is an estimate of Claude's count,
not that count.
"""

from __future__ import annotations

import orjson
from starlette.responses import Response

from ... import tokens
from ...access.models import require_model
from ...call import Call
from .checks import require_content
from .translate import chat_messages, is_custom_tool, tool_as_chat


async def countMessageTokens(call: Call) -> Response:
    require_content(call.body)
    info = await require_model(call, call.body["model"], "chat")
    body = call.body
    messages = chat_messages(body, counting=True)
    tools = [tool_as_chat(t) for t in body.get("tools") or [] if is_custom_tool(t)]
    counted = tokens.count_prompt(messages, info.id)
    if tools:
        counted += tokens.count([orjson.dumps(tools).decode()], info.id)
    return call.answer("MessageTokensCount", {"input_tokens": counted})
