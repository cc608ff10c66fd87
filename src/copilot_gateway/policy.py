"""May this caller use this model? Only models the upstream lists, each for its own kind,
and within what the config file allows this key and this country (see `access`)."""

from __future__ import annotations

from connexion.context import context, scope

from .errors import NotFound
from .record import note
from .service import Gateway
from .upstreams.base import Json


def _permitted(gateway: Gateway, model: str) -> bool:
    return gateway.access.permits(context.get("user"), scope, model)


async def visible_models(gateway: Gateway) -> list[Json]:
    """The upstream's models this caller may use."""
    return [m for m in await gateway.upstream.list_models() if _permitted(gateway, m["id"])]


async def require_model(gateway: Gateway, model: str, kind: str | None = None) -> None:
    """404, as OpenAI answers, for a model not offered, not of the kind the endpoint needs,
    or not for this caller (the same answer as for a model that does not exist)."""
    kinds = await gateway.upstream.model_kinds()
    if model not in kinds or not _permitted(gateway, model):
        raise NotFound(
            f"The model '{model}' does not exist or you do not have access to it.",
            param="model",
            code="model_not_found",
        )
    if kind and kinds[model] not in (None, kind):
        raise NotFound(
            f"The model '{model}' is a {kinds[model]} model, not a {kind} model.",
            param="model",
            code="model_not_supported",
        )
    note(model=model)
