"""POST /v1/messages/count_tokens: asked of the upstream for models it serves natively on
`/v1/messages` (Copilot counts with Claude's own tokenizer there), counted offline for the
rest.

Offline, the count is the request as the chat translation would send it (system, messages,
tool results, and the tools' JSON; content it could not send counts as its JSON), tokenized
with o200k_base, as OpenAI's models do: Claude's tokenizer is not public, so it is an
estimate of Claude's count, not that count.

When the upstream's count fails, the client gets the offline estimate, not the failure:
a count is advice (Claude Code sizes its context by it), an estimate keeps the client going
through an outage, a spent window or an upstream without the path, and the Messages call
that follows meets any real failure itself. Only a refusal of the request as written (400,
413, 422: the body is wrong, whoever counts it) is passed on, in Anthropic's shape.
"""

from __future__ import annotations

import logging

import orjson
from starlette.responses import Response

from ... import tokens
from ...access.models import require_model
from ...call import Call
from ...errors import GatewayError
from ...upstreams.base import Json
from .checks import require_content
from .endpoints import COUNT_TOKENS, MESSAGES
from .translate import chat_messages, is_custom_tool, tool_as_chat

log = logging.getLogger(__name__)

# The upstream's refusals that are about the request itself, not about this upstream (a
# model it will not count, an unsupported path: then the estimate serves).
REQUEST_AT_FAULT = frozenset({400, 413, 422})
NOT_THE_REQUEST = frozenset({"model_not_supported", "unsupported_api_for_model"})


def offline_count(body: Json, model: str) -> int:
    messages = chat_messages(body, counting=True)
    tools = [tool_as_chat(t) for t in body.get("tools") or [] if is_custom_tool(t)]
    counted = tokens.count_prompt(messages, model)
    if tools:
        counted += tokens.count([orjson.dumps(tools).decode()], model)
    return counted


def counted_in(answer: Json) -> int | None:
    """The count in the upstream's answer (`input_tokens`; some proxies say
    `total_tokens`), or None for an answer that holds none."""
    for name in ("input_tokens", "total_tokens"):
        value = answer.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def passed_on(error: GatewayError) -> bool:
    return error.status in REQUEST_AT_FAULT and error.code not in NOT_THE_REQUEST


async def upstream_count(call: Call, body: Json) -> int | None:
    """The upstream's count, or None when it could not give one (see the module's words)."""
    try:
        answer = await call.upstream.call(COUNT_TOKENS, body, call.record, call.client_headers)
    except GatewayError as error:
        if passed_on(error):
            raise
        log.warning(
            "upstream count_tokens failed (%s %s): counted offline", error.status, error.code
        )
        return None
    counted = counted_in(answer)
    if counted is None:
        log.warning("upstream count_tokens answered no count: counted offline")
    return counted


async def countMessageTokens(call: Call) -> Response:
    require_content(call.body)
    info = await require_model(call, call.body["model"], "chat")
    body = {**call.body, "model": info.id}
    counted = await upstream_count(call, body) if MESSAGES.path in info.endpoints else None
    if counted is None:
        counted = offline_count(body, info.id)
    return call.answer("MessageTokensCount", {"input_tokens": counted})
