"""Copilot's native Anthropic Messages API (`POST /v1/messages`), for the emulator's models
whose catalogue entry lists `/v1/messages`.

The answer is generated as for chat (`generate`), from the request read as a chat, then
given Anthropic's shape (`messages_format`). Errors are Anthropic's, not Copilot's, except
the account's refusals (429, 402) and a prompt over the model's limit, which are Copilot's on
every endpoint. The bill
(`copilot_usage`) is at the top level of the message, and on a stream's `message_delta`.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import billing, catalog, credits, gate, generate, sse
from .messages_format import answer_for, input_tokens, is_piece, stream_events
from .state import Emulator
from .streams import Frame, respond
from .wire import anthropic_error, json_response

ENDPOINT = "/v1/messages"
OVERLOADED = {"type": "overloaded_error", "message": "upstream model overloaded"}


def routes(emulator: Emulator) -> list[Route]:
    async def messages(request: Request) -> Response:
        return await create(emulator, request)

    return [Route(ENDPOINT, messages, methods=["POST"])]


def mid_stream_error(_sent: int) -> bytes:
    """Anthropic's mid-stream failure: an `error` event."""
    return sse.named({"type": "error", "error": OVERLOADED})


async def messages_body(emulator: Emulator, request: Request) -> dict[str, Any] | Response:
    """The request's body, if the call passes the gate and is a Messages request."""
    if refused := await gate.refusal(emulator, request):
        return refused
    if "anthropic-version" not in request.headers:
        return anthropic_error(400, "invalid_request_error", "anthropic-version header is required")
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return anthropic_error(400, "invalid_request_error", "invalid JSON body")
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return anthropic_error(400, "invalid_request_error", "messages: Field required")
    return body


async def create(emulator: Emulator, request: Request) -> Response:
    body = await messages_body(emulator, request)
    if isinstance(body, Response):
        return body
    emulator.state.messages_requests.append(body)
    entry = catalog.BY_ID.get(str(body.get("model")))
    if entry is None or ENDPOINT not in (entry.get("supported_endpoints") or []):
        message = f'model "{body.get("model")}" is not accessible via the /v1/messages endpoint'
        return anthropic_error(400, "invalid_request_error", message)
    model = gate.seen_model(request, entry["id"])
    account = gate.billed_account(emulator, request)
    if not gate.offered(model, account.plan):
        return anthropic_error(
            400, "invalid_request_error", "The requested model is not supported."
        )
    premium = billing.premium_requests(model, request.headers.get("x-initiator") != "agent")
    if refused := billing.refusal(account, model, premium):
        return refused
    prompt = input_tokens({**body, "model": model["id"]})
    if too_long := gate.prompt_too_long(prompt, model):
        return too_long
    try:
        answer = answer_for(body)
    except generate.Refused as denied:
        return anthropic_error(400, "invalid_request_error", denied.message)
    counted = answer["usage"]
    tokens = credits.Tokens(input=counted["input_tokens"], output=counted["output_tokens"])
    bill, headers = billing.settle(account, model, tokens, premium)
    answer["copilot_usage"] = bill
    if not body.get("stream"):
        response = json_response(answer)
        response.headers.update(headers)
        return response
    frames = [Frame(sse.named(event), is_piece(event)) for event in stream_events(answer)]
    return await respond(emulator, frames, mid_stream_error, headers)
