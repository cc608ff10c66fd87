"""GET /v1/models (and its alias GET /models), GET /v1/models/{model}."""

from __future__ import annotations

from starlette.responses import Response

from ..errors import NotFound
from ..service import current_gateway, json_response


async def listModels() -> Response:
    models = await current_gateway().upstream.list_models()
    return json_response({"object": "list", "data": models})


async def retrieveModel(model: str) -> Response:
    for candidate in await current_gateway().upstream.list_models():
        if candidate["id"] == model:
            return json_response(candidate)
    raise NotFound(f"The model '{model}' does not exist.", param="model", code="model_not_found")
