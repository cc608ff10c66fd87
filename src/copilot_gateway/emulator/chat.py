"""Copilot's `GET /models` and `POST /chat/completions`.

Chat answers come from `generate`. Streams follow Copilot's quirks: a choiceless first chunk
with only prompt filter results, a `choices: null` chunk of references, text a word a
chunk, each tool call in two halves, usage (when asked for) in a chunk of its own, then
`data: [DONE]`. A thinking model asked to reason shows its thought first (`reasoning`): its
text as `reasoning_text` pieces, then its signature as `reasoning_opaque`. The bill
(`copilot_usage`) sits beside `usage` in an answer, and on a late chunk of its own
(`{"choices": [], "copilot_usage": …}`) after the usage chunk in a stream.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import billing, catalog, counting, credits, gate, generate, ids, reasoning, sse, usage
from .content import chat_has_image
from .state import Emulator
from .streams import Frame, respond
from .wire import chat_object, copilot_error, json_response

MID_STREAM_ERROR = {
    "choices": None,
    "error": {"message": "upstream model overloaded", "code": "server_error"},
}


def routes(emulator: Emulator) -> list[Route]:
    async def list_models(request: Request) -> Response:
        return await models(emulator, request)

    async def chat(request: Request) -> Response:
        return await completions(emulator, request)

    return [
        Route("/models", list_models, methods=["GET"]),
        Route("/chat/completions", chat, methods=["POST"]),
    ]


async def models(emulator: Emulator, request: Request) -> Response:
    if refused := await gate.refusal(emulator, request):
        return refused
    plan = gate.billed_account(emulator, request).plan
    version = gate.api_version(request)
    offered = [catalog.seen_by(m, version) for m in catalog.MODELS if gate.on_plan(m, plan)]
    return json_response({"object": "list", "data": offered})


async def completions(emulator: Emulator, request: Request) -> Response:
    body = await gate.model_body(emulator, request, "chat")
    if isinstance(body, Response):
        return body
    emulator.state.chat_requests.append(body)
    model_id = body["model"]
    model = gate.seen_model(request, model_id)
    if not_here := catalog.refusal_on_chat(model_id):
        return copilot_error(400, *not_here, "model")
    account = gate.billed_account(emulator, request)
    if not gate.on_plan(model, account.plan):
        return copilot_error(400, "The requested model is not supported.", "model_not_supported")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return copilot_error(400, "messages is required", "invalid_request_body", "messages")
    if refused := gate.vision_refusal(request, chat_has_image(messages)):
        return refused
    prompt_tokens = counting.prompt_tokens(messages, model_id)
    if too_long := gate.prompt_too_long(prompt_tokens, model):
        return too_long
    try:
        generated = generate.choices(body)
    except generate.Refused as denied:
        return copilot_error(400, denied.message, "invalid_request_body", denied.param)
    premium = billing.premium_requests(model, request.headers.get("x-initiator") != "agent")
    if refused := billing.refusal(account, model, premium):
        return refused
    thought = reasoning.thought_for(model, body)
    thought_tokens = counting.count([thought.text], model_id) if thought else 0
    completion_tokens = generate.completion_tokens(generated, model_id) + thought_tokens
    tokens = credits.Tokens(input=prompt_tokens, output=completion_tokens)
    bill, headers = billing.settle(account, model, tokens, premium)
    counted: dict[str, Any] = usage.chat(prompt_tokens, completion_tokens)
    if thought:
        counted["completion_tokens_details"] = {"reasoning_tokens": thought_tokens}
    reported = None if emulator.config.omit_usage else counted
    completion_id = ids.of("chatcmpl-emu", body, 20)
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        frames = stream_frames(
            completion_id,
            model_id,
            generated,
            thought,
            reported if include_usage else None,
            None if emulator.config.omit_usage else bill,
        )
        return await respond(emulator, frames, mid_stream_error, headers)
    choices = [
        {
            "index": index,
            "message": message_of(choice, thought if index == 0 else None),
            "finish_reason": choice.finish_reason,
        }
        for index, choice in enumerate(generated)
    ]
    answer = chat_object("chat.completion", completion_id, int(time.time()), model_id, choices)
    if reported:
        answer["usage"] = reported
        answer["copilot_usage"] = bill
    response = json_response(answer)
    response.headers.update(headers)
    return response


def message_of(choice: generate.Choice, thought: reasoning.Thought | None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": choice.content}
    if thought:
        message["reasoning_text"] = thought.text
        message["reasoning_opaque"] = thought.signature
    if choice.tool_calls:
        message["tool_calls"] = choice.tool_calls
    return message


def mid_stream_error(_sent: int) -> bytes:
    """Copilot's mid-stream failure: a `choices: null` chunk carrying an error."""
    return sse.data(MID_STREAM_ERROR)


def stream_frames(
    completion_id: str,
    model: str,
    generated: list[generate.Choice],
    thought: reasoning.Thought | None,
    usage: dict | None,
    bill: dict | None,
) -> list[Frame]:
    created = int(time.time())

    def chunk(choices: list[dict], piece: bool = False, **extra: object) -> Frame:
        body = chat_object("chat.completion.chunk", completion_id, created, model, choices, **extra)
        return Frame(sse.data(body), piece)

    def delta(index: int, fields: dict, finish: str | None = None, piece: bool = False) -> Frame:
        return chunk([{"index": index, "delta": fields, "finish_reason": finish}], piece)

    frames = [
        # Copilot opens with a choiceless chunk carrying only its prompt filter results,
        Frame(
            sse.data(
                {
                    "choices": [],
                    "created": 0,
                    "id": "",
                    "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
                }
            )
        ),
        # and sends references in chunks with `choices: null`.
        Frame(sse.data({"choices": None, "copilot_references": []})),
    ]
    for index, choice in enumerate(generated):
        frames.append(delta(index, {"role": "assistant", "content": ""}))
        if thought and index == 0:
            for piece in generate.pieces(thought.text):
                frames.append(delta(index, {"reasoning_text": piece}, piece=True))
            frames.append(delta(index, {"reasoning_opaque": thought.signature}))
        for piece in generate.pieces(choice.content) if choice.content else []:
            frames.append(delta(index, {"content": piece}, piece=True))
        for position, call in enumerate(choice.tool_calls, choice.first_call_index):
            arguments = call["function"]["arguments"]
            half = len(arguments) // 2
            head = {
                "index": position,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": arguments[:half]},
            }
            tail = {"index": position, "function": {"arguments": arguments[half:]}}
            frames.append(delta(index, {"tool_calls": [head]}, piece=True))
            frames.append(delta(index, {"tool_calls": [tail]}, piece=True))
        frames.append(delta(index, {}, choice.finish_reason))
    if usage:
        frames.append(chunk([], usage=usage))
    if bill is not None:
        # Copilot's bill comes late, on a chunk of its own (reference §2.2).
        frames.append(Frame(sse.data({"choices": [], "copilot_usage": bill})))
    frames.append(Frame(sse.DONE))
    return frames
