"""GET /v1/models (and its alias GET /models), GET /v1/models/{model}."""

from __future__ import annotations

from starlette.responses import Response

from ..policy import require_model, visible_models
from ..service import current_gateway


async def listModels() -> Response:
    gateway = current_gateway()
    models = await visible_models(gateway)
    return gateway.answer("ListModelsResponse", {"object": "list", "data": models})


async def retrieveModel(model: str) -> Response:
    gateway = current_gateway()
    await require_model(gateway, model)
    found = next(m for m in await gateway.upstream.list_models() if m["id"] == model)
    return gateway.answer("Model", found)
