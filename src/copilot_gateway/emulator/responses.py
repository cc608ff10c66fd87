"""The emulator's `POST /responses`, as Copilot serves its newest models there.

Only models whose catalogue entry lists `/responses` are served (others: 400
`unsupported_api_for_model`); Copilot keeps no state over HTTP, so `store` and
`previous_response_id` are refused. Answers come from the same generator as chat
(`generate`), shaped by `responses_format`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import catalog, gate, generate, ids, sse
from .content import responses_has_image
from .responses_format import as_chat_body, bad_reasoning, events_of, is_piece, response_of
from .state import Emulator
from .streams import Frame, respond
from .wire import copilot_error, json_response


def routes(emulator: Emulator) -> list[Route]:
    async def responses(request: Request) -> Response:
        return await create(emulator, request)

    return [Route("/responses", responses, methods=["POST"])]


def mid_stream_error(sent: int) -> bytes:
    """Copilot's nested error event (`{type: "error", error: {code, message}}`), numbered
    on from the events before it."""
    error = {"code": "server_error", "message": "upstream model overloaded"}
    return sse.named({"type": "error", "error": error, "sequence_number": sent})


async def create(emulator: Emulator, request: Request) -> Response:
    body = await gate.model_body(emulator, request, "chat")
    if isinstance(body, Response):
        return body
    model = catalog.BY_ID[body["model"]]
    if "/responses" not in (model.get("supported_endpoints") or []):
        message = f'model "{model["id"]}" is not accessible via the /responses endpoint'
        return copilot_error(400, message, "unsupported_api_for_model", "model")
    if not body.get("input"):
        return copilot_error(400, "input is required", "invalid_request_body", "input")
    if body.get("previous_response_id") or body.get("store"):
        return copilot_error(400, "store and previous_response_id are not supported", None)
    if refused := gate.vision_refusal(request, responses_has_image(body.get("input"))):
        return refused
    if bad_reasoning(body.get("input")):
        return copilot_error(400, "The encrypted content could not be verified.", None)
    emulator.state.responses_requests.append(body)
    try:
        response = response_of(body, as_chat_body(body), ids.of("resp_emu", body, 20))
    except generate.Refused as denied:
        return copilot_error(400, denied.message, "invalid_request_body", denied.param)
    if not body.get("stream"):
        return json_response(response)
    frames = [Frame(sse.named(event), is_piece(event)) for event in events_of(response)]
    return await respond(emulator, frames, mid_stream_error)
