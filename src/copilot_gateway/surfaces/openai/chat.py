"""POST /v1/chat/completions (and its alias POST /openai)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.responses import Response

from ... import tokens
from ...access.models import require_model
from ...access.prompt_limits import require_prompt_fits
from ...call import Call
from ...ids import new_id, now
from ...upstreams.base import CHAT, RESPONSES, Json, ModelInfo
from ..base import sse_response
from ..streams import guarded
from .choices import merged_answer_choices
from .envelope import envelope
from .responses.for_chat import chat_answer, chat_chunks, responses_request
from .streams import ChatStream


def include_usage(body: Json) -> bool:
    return bool((body.get("stream_options") or {}).get("include_usage"))


def completed(answer: Json, request: Json) -> Json:
    """An upstream answer as an OpenAI chat completion: our id, required fields, usage."""
    model = answer.get("model") or request["model"]
    single = (request.get("n") or 1) == 1
    choices = merged_answer_choices(answer.get("choices") or [], single)
    # Joined and counted only if the upstream reported no usage.
    generated = (text for c in choices for text in tokens.generated_texts(c["message"]))
    usage = tokens.reported_or_counted(
        answer.get("usage"), model, messages=request["messages"], generated=generated
    )
    fingerprint = answer.get("system_fingerprint")
    extra = {"system_fingerprint": fingerprint} if fingerprint else {}
    created = answer.get("created") or now()
    return envelope(
        "chat.completion", new_id("chatcmpl-"), created, model, choices, usage=usage, **extra
    )


def through_responses(info: ModelInfo) -> bool:
    """A model served only on /responses: chat is translated there and back."""
    return not info.serves(CHAT) and info.serves(RESPONSES)


async def stream(call: Call, body: Json, info: ModelInfo) -> AsyncIterator[bytes]:
    """Open the upstream stream (errors here are plain HTTP errors), then relay it."""
    if through_responses(info):
        events = await call.upstream.stream(RESPONSES, {**responses_request(body), "stream": True})
        chunks = chat_chunks(events)
    else:
        upstream_body = {
            **body,
            "stream_options": {**(body.get("stream_options") or {}), "include_usage": True},
        }
        chunks = await call.upstream.stream(CHAT, upstream_body)
    relay = ChatStream(call, new_id("chatcmpl-"), now(), body, include_usage(body))
    return guarded(call, relay.events(chunks))


async def createChatCompletion(call: Call) -> Response:
    info = await require_model(call, call.body["model"], "chat")
    body = {**call.body, "model": info.id}
    require_prompt_fits(info, body["messages"])
    if body.get("stream"):
        return sse_response(await stream(call, body, info))
    if through_responses(info):
        answer = chat_answer(await call.upstream.call(RESPONSES, responses_request(body)))
    else:
        answer = await call.upstream.call(CHAT, body)
    result = completed(answer, body)
    call.record.add_usage(result["usage"])
    return call.answer("CreateChatCompletionResponse", result)
