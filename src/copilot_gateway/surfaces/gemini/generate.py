"""POST /v1beta/models/{model}:generateContent and :streamGenerateContent (and under /v1).

The request becomes a Chat Completions request (see `requests`), sent where the upstream
serves the model: on chat, or, for a model served only on the Responses API, there, through
the OpenAI surface's chat-to-Responses translation. The answer comes back as chat's and is
translated to Google's (see `answers`, `stream`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response, StreamingResponse

from ... import tokens
from ...access.models import model_for_prompt
from ...call import Call
from ...errors import InvalidRequest
from ...ids import new_id
from ...upstreams.base import Json, ModelInfo
from ..base import sse_response
from ..choices import answer_usage, merged_answer_choices
from ..openai.endpoints import CHAT, RESPONSES
from ..openai.responses.for_chat import chat_answer, chat_chunks, responses_request
from ..streams import guarded
from . import answers
from .contents import chat_messages
from .google_errors import array_error_element
from .requests import chat_request, wants_thoughts
from .stream import ChunksFromChat, as_json_array, framed

# What the Responses translation refuses, by the name a Gemini client sent it under.
GEMINI_NAMES = {
    "n": "generationConfig.candidateCount",
    "stop": "generationConfig.stopSequences",
    "logprobs": "generationConfig.responseLogprobs",
    "presence_penalty": "generationConfig.presencePenalty",
    "frequency_penalty": "generationConfig.frequencyPenalty",
}


def through_responses(info: ModelInfo) -> bool:
    return not info.serves(CHAT) and info.serves(RESPONSES)


def as_responses(chat: Json) -> Json:
    try:
        return responses_request(chat)
    except InvalidRequest as refusal:
        name = GEMINI_NAMES.get(refusal.param or "", refusal.param)
        raise InvalidRequest(
            refusal.message.replace(f"'{refusal.param}'", f"'{name}'"), param=name
        ) from None


async def model_of(call: Call, model: str) -> ModelInfo:
    info = await model_for_prompt(
        call, model.removeprefix("models/"), lambda _: [chat_messages(call.body)], param="contents"
    )
    call.record.translated = True
    return info


async def generateContent(call: Call, model: str) -> Response:
    info = await model_of(call, model)
    request = chat_request(call.body, info.id, stream=False)
    if through_responses(info):
        reply = chat_answer(
            await call.upstream.call(
                RESPONSES, as_responses(request), call.record, call.client_headers
            )
        )
    else:
        reply = await call.upstream.call(CHAT, request, call.record, call.client_headers)
    choices = merged_answer_choices(reply.get("choices"), single=(request.get("n") or 1) == 1)
    choices = choices or merged_answer_choices([{}], single=True)
    usage = answer_usage(reply, choices, request)
    call.record.add_usage(usage)
    candidates = answers.from_choices(choices, wants_thoughts(call.body))
    body = answers.response(candidates, usage, reply.get("model") or info.id, new_id(""))
    return call.answer("GenerateContentResponse", body)


async def chunks_of(
    call: Call, request: Json, chunks: AsyncIterator[Json], converter: ChunksFromChat
) -> AsyncGenerator[Json]:
    async for chunk in chunks:
        for out in converter.feed(chunk):
            yield call.conforming("GenerateContentResponse", out)
    usage = converter.choices.usage(request)
    call.record.add_usage(usage)
    yield call.conforming("GenerateContentResponse", converter.finish(usage))


async def streamGenerateContent(call: Call, model: str, alt: str = "json") -> Response:
    info = await model_of(call, model)
    request = chat_request(call.body, info.id, stream=True)
    if through_responses(info):
        upstream = {**as_responses(request), "stream": True}
        opened = await call.upstream.stream(RESPONSES, upstream, call.record, call.client_headers)
        chunks = chat_chunks(opened)
    else:
        chunks = await call.upstream.stream(CHAT, request, call.record, call.client_headers)
    prompt = tokens.count_prompt(request["messages"], info.id)
    converter = ChunksFromChat(
        info.id,
        new_id(""),
        prompt,
        thoughts=wants_thoughts(call.body),
        single=(request.get("n") or 1) == 1,
    )
    relay = framed(chunks_of(call, request, chunks, converter), alt == "sse")
    if alt == "sse":
        return sse_response(guarded(call, relay))
    call.answer_checked = True  # each element was checked as it was made
    return StreamingResponse(
        as_json_array(guarded(call, relay, array_error_element)), media_type="application/json"
    )
