"""Copilot's native `POST /v1/messages/count_tokens` (reference §4): `{"input_tokens": N}`
for a model it serves on `/v1/messages`, counted as that endpoint's answer would count the
same request's input (its turns, system prompt and tools, as Claude counts them). Other
models are refused as Copilot refuses them: 400 `unsupported_api_for_model` for a chat
model served elsewhere, `model_not_supported` for one it does not offer. Nothing is billed
and no allowance is charged."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import catalog, gate
from .messages import ENDPOINT, messages_body
from .messages_format import input_tokens
from .state import Emulator
from .wire import copilot_error, json_response

NOT_SUPPORTED = "The requested model is not supported."


def routes(emulator: Emulator) -> list[Route]:
    async def count_tokens(request: Request) -> Response:
        return await count(emulator, request)

    return [Route(ENDPOINT + "/count_tokens", count_tokens, methods=["POST"])]


async def count(emulator: Emulator, request: Request) -> Response:
    body = await messages_body(emulator, request)
    if isinstance(body, Response):
        return body
    model_id = str(body.get("model"))
    if catalog.model_type(model_id) != "chat":
        return copilot_error(400, NOT_SUPPORTED, "model_not_supported", "model")
    model = catalog.BY_ID[model_id]
    if ENDPOINT not in (model.get("supported_endpoints") or []):
        message = f'model "{model_id}" is not accessible via the {ENDPOINT} endpoint'
        return copilot_error(400, message, "unsupported_api_for_model", "model")
    if not gate.offered(model, gate.billed_account(emulator, request).plan):
        return copilot_error(400, NOT_SUPPORTED, "model_not_supported", "model")
    return json_response({"input_tokens": input_tokens(body)})
