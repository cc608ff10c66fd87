"""POST /v1/completions: the legacy API, translated to chat (see `legacy`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.responses import Response

from .. import legacy, tokens
from ..errors import InvalidRequest
from ..messages import content_text
from ..policy import require_model
from ..record import note_usage
from ..service import current_gateway, new_id, now, validated_body
from ..streaming import DONE, event, guarded, sse_response
from ..upstreams.base import Json


def prompts_of(body: Json) -> list[str]:
    try:
        return legacy.prompts(body)
    except ValueError:
        raise InvalidRequest(
            "The prompt holds token ids outside the model's vocabulary.", param="prompt"
        ) from None


def prompt_usage(reported: object, chat: Json, generated: list[str]) -> tuple[int, int]:
    """(prompt, completion) tokens of one prompt: as reported upstream, else counted."""
    if isinstance(reported, dict):
        return reported.get("prompt_tokens", 0), reported.get("completion_tokens", 0)
    model = chat["model"]
    return tokens.count_prompt(chat["messages"], model), tokens.count(generated, model)


async def complete(body: Json, prompts: list[str]) -> Json:
    upstream = current_gateway().upstream
    n = body.get("n") or 1
    choices, prompt_tokens, completion_tokens = [], 0, 0
    for number, prompt in enumerate(prompts):
        chat = legacy.chat_request(body, prompt)
        answer = await upstream.chat(chat)
        generated = []
        for position, choice in enumerate(answer.get("choices") or []):
            text = content_text((choice.get("message") or {}).get("content"))
            generated.append(text)
            reason = legacy.finish_reason(choice.get("finish_reason") or "stop")
            echoed = prompt + text if body.get("echo") else text
            choices.append(legacy.text_choice(number * n + position, echoed, reason))
        used = prompt_usage(answer.get("usage"), chat, generated)
        prompt_tokens, completion_tokens = prompt_tokens + used[0], completion_tokens + used[1]
    usage = tokens.usage(prompt_tokens, completion_tokens)
    note_usage(usage)
    return {
        "id": new_id("cmpl-"),
        "object": "text_completion",
        "created": now(),
        "model": body["model"],
        "choices": choices,
        "usage": usage,
    }


async def stream(body: Json, prompts: list[str]) -> AsyncIterator[bytes]:
    """Open the first prompt's stream before answering, so its errors are HTTP errors."""
    gateway = current_gateway()
    upstream = gateway.upstream
    n = body.get("n") or 1
    completion_id, created = new_id("cmpl-"), now()

    def request_for(prompt: str) -> Json:
        return {
            **legacy.chat_request(body, prompt),
            "stream": True,
            "stream_options": {"include_usage": True},
        }

    first = await upstream.chat_stream(request_for(prompts[0]))

    def chunk(choices: list[Json], **extra: object) -> bytes:
        answer = {
            "id": completion_id,
            "object": "text_completion",
            "created": created,
            "model": body["model"],
            "choices": choices,
            **extra,
        }
        return event(gateway.conforming("CreateCompletionStreamResponse", answer))

    async def events() -> AsyncIterator[bytes]:
        prompt_tokens = completion_tokens = 0
        for number, prompt in enumerate(prompts):
            chunks = first if number == 0 else await upstream.chat_stream(request_for(prompt))
            echoed: set[int] = set()
            generated: dict[int, list[str]] = {}  # per choice, to count usage if need be
            usage = None
            async for upstream_chunk in chunks:
                if isinstance(upstream_chunk.get("usage"), dict):
                    usage = upstream_chunk["usage"]
                for choice in upstream_chunk.get("choices") or []:
                    position = choice.get("index", 0)
                    text = (choice.get("delta") or {}).get("content") or ""
                    generated.setdefault(position, []).append(text)
                    if body.get("echo") and position not in echoed:
                        echoed.add(position)
                        text = prompt + text
                    reason = legacy.finish_reason(choice.get("finish_reason"))
                    if text or reason:
                        yield chunk([legacy.text_choice(number * n + position, text, reason)])
            texts = ["".join(parts) for parts in generated.values()]
            used = prompt_usage(usage, request_for(prompt), texts)
            prompt_tokens, completion_tokens = prompt_tokens + used[0], completion_tokens + used[1]
        total = tokens.usage(prompt_tokens, completion_tokens)
        note_usage(total)
        if (body.get("stream_options") or {}).get("include_usage"):
            yield chunk([], usage=total)
        yield DONE

    return guarded(events(), gateway.draining)


async def createCompletion() -> Response:
    body = validated_body()
    await require_model(current_gateway(), body["model"], "chat")
    prompts = prompts_of(body)
    if body.get("stream"):
        return sse_response(await stream(body, prompts))
    answer = await complete(body, prompts)
    return current_gateway().answer("CreateCompletionResponse", answer)
