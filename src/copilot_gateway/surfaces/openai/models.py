"""GET /v1/models (and its alias GET /models), GET /v1/models/{model}."""

from __future__ import annotations

from starlette.responses import Response

from ...access.models import require_model, visible_models
from ...call import Call


async def listModels(call: Call) -> Response:
    models = await visible_models(call)
    return call.answer("ListModelsResponse", {"object": "list", "data": models})


async def retrieveModel(call: Call, model: str) -> Response:
    info = await require_model(call, model)
    return call.answer("Model", info.listed)
