"""May this request use this model? Only models the upstream lists, each for its own kind."""

from __future__ import annotations

from .errors import NotFound
from .upstreams.base import Upstream


async def require_model(upstream: Upstream, model: str, kind: str | None = None) -> None:
    """404, as OpenAI answers, for a model not offered, or not of the kind the endpoint needs."""
    kinds = await upstream.model_kinds()
    if model not in kinds:
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
