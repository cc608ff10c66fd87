"""POST /v1beta/models/{model}:generateContent and :streamGenerateContent (and under /v1).

The request becomes a Chat Completions request (see `requests`), sent where the upstream
serves the model, as the other surfaces route: natively on `/v1/messages` for the models the
catalogue lists there (Copilot's Claude models; see `messages_requests`), unless it asks what
Messages cannot do and chat serves the model too; else on chat; or, for a model served only
on the Responses API, there, through the OpenAI surface's chat-to-Responses translation. The
answer comes back in chat's shapes (see `from_messages`) and is translated to Google's (see
`answers`, `stream`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from starlette.responses import Response, StreamingResponse

from ... import tokens
from ...access.models import model_for_prompt
from ...call import Call
from ...errors import InvalidRequest
from ...ids import new_id
from ...upstreams.base import Endpoint, EventStream, Json, ModelInfo
from ..anthropic.endpoints import MESSAGES
from ..base import sse_response
from ..choices import answer_usage, merged_answer_choices
from ..openai.endpoints import CHAT, RESPONSES
from ..openai.responses import for_chat
from ..streams import guarded
from . import answers, from_messages
from .contents import chat_messages, refused
from .google_errors import array_error_element
from .messages_requests import messages_request, unsendable
from .requests import chat_request, config_of, wants_thoughts
from .stream import ChunksFromChat, as_json_array, framed

# What the Responses translation refuses, by the name a Gemini client sent it under.
GEMINI_NAMES = {
    "n": "generationConfig.candidateCount",
    "stop": "generationConfig.stopSequences",
    "logprobs": "generationConfig.responseLogprobs",
    "presence_penalty": "generationConfig.presencePenalty",
    "frequency_penalty": "generationConfig.frequencyPenalty",
}


def route(info: ModelInfo, request: Json, config: Json) -> Endpoint:
    """Where the chat `request` goes (`config` is the Gemini request's `generationConfig`)."""
    if MESSAGES.path in info.endpoints:
        field = unsendable(request, config)
        if field is None:
            return MESSAGES
        if not info.serves(CHAT):
            raise refused(
                "this model is served only on the Messages API, which cannot take it", field
            )
    if not info.serves(CHAT) and info.serves(RESPONSES):
        return RESPONSES
    return CHAT


def as_responses(chat: Json) -> Json:
    try:
        return for_chat.responses_request(chat)
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


async def answered(call: Call, request: Json, endpoint: Endpoint) -> Json:
    """The upstream's answer, in chat's shape."""
    if endpoint is MESSAGES:
        body = messages_request(request, config_of(call.body))
        message = await call.upstream.call(MESSAGES, body, call.record, call.client_headers)
        return from_messages.chat_answer(message)
    if endpoint is RESPONSES:
        body = as_responses(request)
        response = await call.upstream.call(RESPONSES, body, call.record, call.client_headers)
        return for_chat.chat_answer(response)
    return await call.upstream.call(CHAT, request, call.record, call.client_headers)


async def opened(call: Call, request: Json, endpoint: Endpoint) -> AsyncIterator[Json]:
    """The upstream's stream, as chat's chunks."""
    events: EventStream
    if endpoint is MESSAGES:
        body = messages_request(request, config_of(call.body))
        events = await call.upstream.stream(MESSAGES, body, call.record, call.client_headers)
        return from_messages.chat_chunks(events)
    if endpoint is RESPONSES:
        body = {**as_responses(request), "stream": True}
        events = await call.upstream.stream(RESPONSES, body, call.record, call.client_headers)
        return for_chat.chat_chunks(events)
    return await call.upstream.stream(CHAT, request, call.record, call.client_headers)


async def generateContent(call: Call, model: str) -> Response:
    info = await model_of(call, model)
    request = chat_request(call.body, info.id, stream=False)
    reply = await answered(call, request, route(info, request, config_of(call.body)))
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
    chunks = await opened(call, request, route(info, request, config_of(call.body)))
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
