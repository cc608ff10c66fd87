"""The emulator's model catalogue, shaped like Copilot's `GET /models` entries: the models
(`catalog_models`), how each entry is built (`catalog_shapes`), and here what the routes ask
of it: a model by id, as a given API version sees it, and whether chat may serve it."""

from __future__ import annotations

import copy
from typing import Any

from .catalog_models import MODELS, ONE_MILLION
from .catalog_shapes import limits_of

__all__ = [
    "BY_ID",
    "EMBEDDING_DIMENSIONS",
    "MILLION_FROM",
    "MODELS",
    "model_type",
    "refusal_on_chat",
    "seen_by",
]

BY_ID = {model["id"]: model for model in MODELS}
EMBEDDING_DIMENSIONS = 1536
# The 1M context shows only to requests with this `X-GitHub-Api-Version` or later (reference
# §1.3); ISO dates compare as strings.
MILLION_FROM = "2026-06-01"


def model_type(model_id: str) -> str | None:
    model = BY_ID.get(model_id)
    return model["capabilities"]["type"] if model else None


def seen_by(model: dict[str, Any], api_version: str | None) -> dict[str, Any]:
    """The entry as a request with this API version sees it: the larger limits (and the
    prices' tier bounds that follow them) from `MILLION_FROM` on."""
    larger = ONE_MILLION.get(model["id"])
    if larger is None or (api_version or "") < MILLION_FROM:
        return model
    seen = copy.deepcopy(model)
    vision = bool(seen["capabilities"]["supports"].get("vision"))
    seen["capabilities"]["limits"] = limits_of(larger, vision)
    prices = seen["billing"].get("token_prices") or {}
    if "long_context" in prices:
        prices["long_context"]["max_prompt_tokens"] = larger[1]
    elif "default" in prices:
        prices["default"]["max_prompt_tokens"] = larger[1]
    return seen


def refusal_on_chat(model_id: str) -> tuple[str, str] | None:
    """(message, code) of Copilot's 400 for a chat model it will not serve on /chat."""
    model = BY_ID[model_id]
    if (model.get("policy") or {}).get("state") == "disabled":
        return "The requested model is not supported.", "model_not_supported"
    endpoints = model.get("supported_endpoints") or []
    if endpoints and "/chat/completions" not in endpoints:
        message = f'model "{model_id}" is not accessible via the /chat/completions endpoint'
        return message, "unsupported_api_for_model"
    return None
