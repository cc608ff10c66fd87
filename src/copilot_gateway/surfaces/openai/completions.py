"""POST /v1/completions: the legacy API, translated to chat (see `legacy`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response

from ... import tokens
from ...access.models import require_model
from ...call import Call
from ...ids import new_id, now
from ...messages import content_text
from ...upstreams.base import CHAT, Json
from ..base import sse_response
from ..streams import guarded
from . import legacy
from .envelope import envelope
from .streams import DONE


def prompt_usage(reported: object, chat: Json, generated: list[str]) -> tuple[int, int]:
    """(prompt, completion) tokens of one prompt: as reported upstream, else counted."""
    usage = tokens.reported_or_counted(
        reported, chat["model"], messages=chat["messages"], generated=generated
    )
    return usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)


async def complete(call: Call, body: Json, prompts: list[str]) -> Json:
    n = body.get("n") or 1
    choices, prompt_tokens, completion_tokens = [], 0, 0
    for number, prompt in enumerate(prompts):
        chat = legacy.chat_request(body, prompt)
        answer = await call.upstream.call(CHAT, chat)
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
    return envelope("text_completion", new_id("cmpl-"), now(), body["model"], choices, usage=usage)


async def stream(call: Call, body: Json, prompts: list[str]) -> AsyncIterator[bytes]:
    """Open the first prompt's stream before answering, so its errors are HTTP errors."""
    n = body.get("n") or 1
    completion_id, created = new_id("cmpl-"), now()

    def request_for(prompt: str) -> Json:
        return {
            **legacy.chat_request(body, prompt),
            "stream": True,
            "stream_options": {"include_usage": True},
        }

    first = await call.upstream.stream(CHAT, request_for(prompts[0]))

    def chunk(choices: list[Json], **extra: object) -> bytes:
        answer = envelope(
            "text_completion", completion_id, created, body["model"], choices, **extra
        )
        return call.surface.sse_event(call.conforming("CreateCompletionStreamResponse", answer))

    async def events() -> AsyncGenerator[bytes]:
        prompt_tokens = completion_tokens = 0
        for number, prompt in enumerate(prompts):
            chunks = first if number == 0 else await call.upstream.stream(CHAT, request_for(prompt))
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
        call.record.add_usage(total)
        if (body.get("stream_options") or {}).get("include_usage"):
            yield chunk([], usage=total)
        yield DONE

    return guarded(call, events())


async def createCompletion(call: Call) -> Response:
    info = await require_model(call, call.body["model"], "chat")
    body = {**call.body, "model": info.id}
    prompts = legacy.prompts(body)
    if body.get("stream"):
        return sse_response(await stream(call, body, prompts))
    answer = await complete(call, body, prompts)
    call.record.add_usage(answer["usage"])
    return call.answer("CreateCompletionResponse", answer)
