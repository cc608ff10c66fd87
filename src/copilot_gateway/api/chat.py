"""POST /v1/chat/completions (and its alias POST /openai)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.responses import Response

from .. import tokens
from ..choices import merged_answer_choices
from ..policy import require_model
from ..record import note_usage
from ..service import current_gateway, new_id, now, validated_body
from ..streaming import ChatStream, guarded, sse_response
from ..upstreams.base import Json


def include_usage(body: Json) -> bool:
    return bool((body.get("stream_options") or {}).get("include_usage"))


def completed(answer: Json, request: Json) -> Json:
    """An upstream answer as an OpenAI chat completion: our id, required fields, usage."""
    model = answer.get("model") or request["model"]
    single = (request.get("n") or 1) == 1
    choices = merged_answer_choices(answer.get("choices") or [], single)
    usage = answer.get("usage")
    if not isinstance(usage, dict):
        generated = [text for c in choices for text in tokens.generated_texts(c["message"])]
        usage = tokens.usage(
            tokens.count_prompt(request["messages"], model), tokens.count(generated, model)
        )
    note_usage(usage)
    return {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": answer.get("created") or now(),
        "model": model,
        "choices": choices,
        "usage": usage,
        **(
            {"system_fingerprint": answer["system_fingerprint"]}
            if answer.get("system_fingerprint")
            else {}
        ),
    }


async def stream(body: Json) -> AsyncIterator[bytes]:
    """Open the upstream stream (errors here are plain HTTP errors), then relay it."""
    upstream_body = {
        **body,
        "stream_options": {**(body.get("stream_options") or {}), "include_usage": True},
    }
    gateway = current_gateway()
    chunks = await gateway.upstream.chat_stream(upstream_body)
    relay = ChatStream(new_id("chatcmpl-"), now(), body, include_usage(body), gateway.conforming)
    return guarded(relay.events(chunks), gateway.draining)


async def createChatCompletion() -> Response:
    body = validated_body()
    await require_model(current_gateway(), body["model"], "chat")
    if body.get("stream"):
        return sse_response(await stream(body))
    gateway = current_gateway()
    answer = await gateway.upstream.chat(body)
    return gateway.answer("CreateChatCompletionResponse", completed(answer, body))


createChatCompletionAlias = createChatCompletion
