"""GET /v1/models (and its alias GET /models), GET /v1/models/{model}."""

from __future__ import annotations

from starlette.responses import Response

from ..policy import require_model
from ..service import current_gateway, json_response


async def listModels() -> Response:
    models = await current_gateway().upstream.list_models()
    return json_response({"object": "list", "data": models})


async def retrieveModel(model: str) -> Response:
    upstream = current_gateway().upstream
    await require_model(upstream, model)
    return json_response(next(m for m in await upstream.list_models() if m["id"] == model))
