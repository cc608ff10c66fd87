"""The emulator's `POST /responses`, as Copilot serves its newest models there.

Only models whose catalogue entry lists `/responses` are served (others: 400
`unsupported_api_for_model`). Copilot keeps no state over HTTP: `store: true`,
`background: true` and `previous_response_id` are refused with 400, and the sub-resources
OpenAI has (`/responses/{id}`, its `cancel` and `input_items`, `/responses/compact`,
`/responses/input_tokens`) do not exist: 404 (reference §4). Answers come from the same
generator as chat (`generate`), shaped by `responses_format`; the bill (`copilot_usage`)
is at the top level of an answer and beside `response` on a stream's terminal event.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import billing, counting, credits, gate, generate, ids, sse
from .content import responses_has_image
from .responses_format import as_chat_body, bad_reasoning, events_of, is_piece, response_of
from .state import Emulator
from .streams import Frame, respond
from .wire import copilot_error, json_response

STATELESS = ("store", "background", "previous_response_id")


def routes(emulator: Emulator) -> list[Route]:
    async def responses(request: Request) -> Response:
        return await create(emulator, request)

    async def missing(request: Request) -> Response:
        return not_found()

    return [
        Route("/responses", responses, methods=["POST"]),
        Route("/responses/compact", missing, methods=["POST"]),
        Route("/responses/input_tokens", missing, methods=["POST"]),
        Route("/responses/{response_id}", missing, methods=["GET", "DELETE"]),
        Route("/responses/{response_id}/cancel", missing, methods=["POST"]),
        Route("/responses/{response_id}/input_items", missing, methods=["GET"]),
    ]


def not_found() -> Response:
    """What Copilot's Go server answers for a path it has no route for."""
    return Response("404 page not found\n", 404, media_type="text/plain; charset=utf-8")


def mid_stream_error(sent: int) -> bytes:
    """Copilot's nested error event (`{type: "error", error: {code, message}}`), numbered
    on from the events before it."""
    error = {"code": "server_error", "message": "upstream model overloaded"}
    return sse.named({"type": "error", "error": error, "sequence_number": sent})


async def create(emulator: Emulator, request: Request) -> Response:
    body = await gate.model_body(emulator, request, "chat")
    if isinstance(body, Response):
        return body
    model = gate.seen_model(request, body["model"])
    if "/responses" not in (model.get("supported_endpoints") or []):
        message = f'model "{model["id"]}" is not accessible via the /responses endpoint'
        return copilot_error(400, message, "unsupported_api_for_model", "model")
    account = gate.billed_account(emulator, request)
    if not gate.offered(model, account.plan):
        return copilot_error(400, "The requested model is not supported.", "model_not_supported")
    if not body.get("input"):
        return copilot_error(400, "input is required", "invalid_request_body", "input")
    if stateful := [field for field in STATELESS if body.get(field)]:
        message = f"{stateful[0]} is not supported over HTTP: Copilot keeps no responses"
        return copilot_error(400, message, "invalid_request_body", stateful[0])
    if refused := gate.vision_refusal(request, responses_has_image(body.get("input"))):
        return refused
    if bad_reasoning(body.get("input")):
        return copilot_error(400, "The encrypted content could not be verified.", None)
    premium = billing.premium_requests(model, request.headers.get("x-initiator") != "agent")
    if refused := billing.refusal(account, model, premium):
        return refused
    chat = as_chat_body(body)
    prompt = counting.prompt_tokens(chat["messages"], model["id"])
    if too_long := gate.prompt_too_long(prompt, model):
        return too_long
    emulator.state.responses_requests.append(body)
    try:
        response = response_of(body, chat, ids.of("resp_emu", body, 20))
    except generate.Refused as denied:
        return copilot_error(400, denied.message, "invalid_request_body", denied.param)
    counted = response["usage"]
    tokens = credits.Tokens(input=counted["input_tokens"], output=counted["output_tokens"])
    bill, headers = billing.settle(account, model, tokens, premium)
    if not body.get("stream"):
        answer = json_response({**response, "copilot_usage": bill})
        answer.headers.update(headers)
        return answer
    frames = [Frame(sse.named(event), is_piece(event)) for event in events_of(response, bill)]
    return await respond(emulator, frames, mid_stream_error, headers)
