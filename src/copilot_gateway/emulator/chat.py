"""Copilot's `GET /models` and `POST /chat/completions`.

Chat answers come from `generate`. Streams follow Copilot's quirks: a choiceless first chunk
with only prompt filter results, a `choices: null` chunk of references, text a word a
chunk, each tool call in two halves, usage (when asked for) in a chunk of its own, then
`data: [DONE]`. A premium model costs the account its multiplier on a person's turn.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import catalog, counting, gate, generate, ids, quota, sse, usage
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
    offered = [model for model in catalog.MODELS if gate.on_plan(model, plan)]
    return json_response({"object": "list", "data": offered})


def prompt_too_long(prompt_tokens: int, model: dict[str, Any]) -> Response | None:
    limits = model["capabilities"].get("limits") or {}
    limit = limits.get("max_prompt_tokens", prompt_tokens)
    if prompt_tokens <= limit:
        return None
    message = f"prompt token count of {prompt_tokens} exceeds the limit of {limit}"
    return copilot_error(400, message, "model_max_prompt_tokens_exceeded")


def quota_exhausted(account: quota.AccountQuota) -> Response:
    exhausted = copilot_error(
        402, "You have exceeded your premium request allowance.", "quota_exceeded"
    )
    seconds = quota.next_reset().timestamp() - time.time()
    exhausted.headers.update({**account.headers(), "retry-after": str(int(seconds))})
    return exhausted


async def completions(emulator: Emulator, request: Request) -> Response:
    body = await gate.model_body(emulator, request, "chat")
    if isinstance(body, Response):
        return body
    model_id = body["model"]
    model = catalog.BY_ID[model_id]
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
    if too_long := prompt_too_long(prompt_tokens, model):
        return too_long
    try:
        generated = generate.choices(body)
    except generate.Refused as denied:
        return copilot_error(400, denied.message, "invalid_request_body", denied.param)
    billing = model.get("billing") or {}
    person = request.headers.get("x-initiator") != "agent"  # agents' turns are free
    cost = billing.get("multiplier", 0) if billing.get("is_premium") and person else 0
    if not account.charge(cost):
        return quota_exhausted(account)
    counted = usage.chat(prompt_tokens, generate.completion_tokens(generated, model_id))
    reported = None if emulator.config.omit_usage else counted
    completion_id = ids.of("chatcmpl-emu", body, 20)
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        frames = stream_frames(
            completion_id, model_id, generated, reported if include_usage else None
        )
        return await respond(emulator, frames, mid_stream_error, account.headers())
    choices = [
        {"index": index, "message": message_of(choice), "finish_reason": choice.finish_reason}
        for index, choice in enumerate(generated)
    ]
    answer = chat_object("chat.completion", completion_id, int(time.time()), model_id, choices)
    if reported:
        answer["usage"] = reported
    response = json_response(answer)
    response.headers.update(account.headers())
    return response


def message_of(choice: generate.Choice) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": choice.content}
    if choice.tool_calls:
        message["tool_calls"] = choice.tool_calls
    return message


def mid_stream_error(_sent: int) -> bytes:
    """Copilot's mid-stream failure: a `choices: null` chunk carrying an error."""
    return sse.data(MID_STREAM_ERROR)


def stream_frames(
    completion_id: str, model: str, generated: list[generate.Choice], usage: dict | None
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
    frames.append(Frame(sse.DONE))
    return frames
