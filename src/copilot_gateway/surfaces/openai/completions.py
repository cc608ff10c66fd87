"""POST /v1/completions: the legacy API, translated to chat (see `legacy`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response

from ...access.models import model_for_prompt
from ...access.prompt_limits import Prompt
from ...call import Call
from ...content import content_text
from ...ids import new_id, now
from ...upstreams.base import Json
from ...usage import chat_usage
from ..base import sse_response
from ..choices import StreamChoices, answer_usage, merged_answer_choices
from ..streams import guarded
from . import legacy
from .endpoints import CHAT
from .envelope import envelope
from .streams import DONE


def tokens_of(used: Json) -> tuple[int, int]:
    return used.get("prompt_tokens", 0), used.get("completion_tokens", 0)


async def complete(call: Call, body: Json, prompts: list[str]) -> Json:
    n = body.get("n") or 1
    choices, prompt_tokens, completion_tokens = [], 0, 0
    for number, prompt in enumerate(prompts):
        chat = legacy.chat_request(body, prompt)
        answer = await call.upstream.call(CHAT, chat, call.record, call.client_headers)
        answered = merged_answer_choices(answer.get("choices"), single=n == 1)
        for choice in answered:
            text = content_text(choice["message"]["content"])
            reason = legacy.finish_reason(choice["finish_reason"])
            echoed = prompt + text if body.get("echo") else text
            choices.append(legacy.text_choice(number * n + choice["index"], echoed, reason))
        used = tokens_of(answer_usage(answer, answered, chat))
        prompt_tokens, completion_tokens = prompt_tokens + used[0], completion_tokens + used[1]
    total = chat_usage(prompt_tokens, completion_tokens)
    return envelope("text_completion", new_id("cmpl-"), now(), body["model"], choices, usage=total)


def streamed_choice(choice: Json, offset: int, echo: str, echoed: set[int]) -> Json | None:
    """A normalised chat choice as a legacy one, numbered from `offset`, with `echo` (the
    prompt, if echoed) before its first text; None when it says nothing."""
    position = choice["index"]
    text = choice["delta"].get("content") or ""
    if echo and position not in echoed:
        echoed.add(position)
        text = echo + text
    reason = legacy.finish_reason(choice["finish_reason"])
    return legacy.text_choice(offset + position, text, reason) if text or reason else None


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

    first = await call.upstream.stream(
        CHAT, request_for(prompts[0]), call.record, call.client_headers
    )

    def chunk(choices: list[Json], **extra: object) -> bytes:
        answer = envelope(
            "text_completion", completion_id, created, body["model"], choices, **extra
        )
        return call.surface.sse_event(call.conforming("CreateCompletionStreamResponse", answer))

    async def events() -> AsyncGenerator[bytes]:
        prompt_tokens = completion_tokens = 0
        for number, prompt in enumerate(prompts):
            request = request_for(prompt)
            chunks = (
                first
                if number == 0
                else await call.upstream.stream(CHAT, request, call.record, call.client_headers)
            )
            answer = StreamChoices(single=n == 1, model=body["model"])
            echo, echoed = (prompt if body.get("echo") else ""), set[int]()
            async for upstream_chunk in chunks:
                for choice in answer.read(upstream_chunk):
                    if out := streamed_choice(choice, number * n, echo, echoed):
                        yield chunk([out])
            for choice in answer.closing():
                if out := streamed_choice(choice, number * n, echo, echoed):
                    yield chunk([out])
            used = tokens_of(answer.usage(request))
            prompt_tokens, completion_tokens = prompt_tokens + used[0], completion_tokens + used[1]
        total = chat_usage(prompt_tokens, completion_tokens)
        call.record.add_usage(total)
        if (body.get("stream_options") or {}).get("include_usage"):
            yield chunk([], usage=total)
        yield DONE

    return guarded(call, events())


async def createCompletion(call: Call) -> Response:
    def sent(model: str) -> list[Prompt]:
        body = {**call.body, "model": model}
        return [legacy.chat_request(body, prompt)["messages"] for prompt in legacy.prompts(body)]

    info = await model_for_prompt(call, call.body["model"], sent, param="prompt")
    body = {**call.body, "model": info.id}
    call.record.translated = True  # legacy completions are always served through chat
    prompts = legacy.prompts(body)
    if body.get("stream"):
        return sse_response(await stream(call, body, prompts))
    answer = await complete(call, body, prompts)
    call.record.add_usage(answer["usage"])
    return call.answer("CreateCompletionResponse", answer)
