"""May this request use this model? Only models the upstream lists for us are callable."""

from __future__ import annotations

from .errors import NotFound
from .upstreams.base import Upstream


async def require_model(upstream: Upstream, model: str) -> None:
    """404 `model_not_found`, as OpenAI answers, for a model the upstream does not offer."""
    if not any(candidate["id"] == model for candidate in await upstream.list_models()):
        raise NotFound(
            f"The model '{model}' does not exist or you do not have access to it.",
            param="model",
            code="model_not_found",
        )
