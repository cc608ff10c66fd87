"""GET /v1beta/models (paged) and GET /v1beta/models/{name}: the models this caller may
use, as Google's `Model`s, with the methods each serves."""

from __future__ import annotations

from starlette.responses import Response

from ...access.models import require_model, visible_models
from ...call import Call
from ...errors import InvalidRequest
from ...upstreams.base import Json

CHAT_METHODS = ["generateContent", "streamGenerateContent", "countTokens"]
EMBEDDING_METHODS = ["embedContent", "batchEmbedContents"]
DEFAULT_PAGE = 50
LARGEST_PAGE = 1000
INT32 = (-(2**31), 2**31 - 1)


def as_model(listed: Json, kind: str | None) -> Json:
    model_id = str(listed.get("id"))
    methods = EMBEDDING_METHODS if kind == "embeddings" else CHAT_METHODS
    model: Json = {
        "name": f"models/{model_id}",
        "baseModelId": model_id,
        "version": "001",
        "displayName": str(listed.get("name") or model_id),
        "supportedGenerationMethods": methods,
    }
    return model


def page_start(token: str | None) -> int:
    if not token:
        return 0
    if not (token.isascii() and token.isdigit()) or len(token) > len(str(INT32[1])):
        # What this listing gives: an offset, never longer than a 32-bit one.
        raise InvalidRequest("pageToken: not a token this listing gave.", param="pageToken")
    return int(token)


async def listGeminiModels(
    call: Call, pageSize: int | None = None, pageToken: str | None = None
) -> Response:
    if pageSize is not None and not 0 <= pageSize <= INT32[1]:
        # connexion casts query parameters but checks no format's bounds; a negative
        # size is an error, as Google's list methods say (0 is the default's).
        raise InvalidRequest("pageSize: not a 32-bit integer of 0 or more.", param="pageSize")
    catalogue = await call.upstream.models()
    visible = {model["id"] for model in await visible_models(call)}
    models = [as_model(info.listed, info.kind) for info in catalogue.values() if info.id in visible]
    size = min(pageSize, LARGEST_PAGE) if pageSize else DEFAULT_PAGE
    start = page_start(pageToken)
    page: Json = {"models": models[start : start + size]}
    if start + size < len(models):
        page["nextPageToken"] = str(start + size)
    return call.answer("ListModelsResponse", page)


async def getGeminiModel(call: Call, name: str) -> Response:
    info = await require_model(call, name.removeprefix("models/"))
    return call.answer("Model", as_model(info.listed, info.kind))
