"""Copilot's model list (`GET /models`), as the models the gateway serves.

Copilot lists models it will not serve on its chat API, some twice; its entries say the
model's type, the endpoint paths that serve it, its prompt limit, its premium cost and its price
in AI Credits (`billing.token_prices`).
"""

from __future__ import annotations

from ...pricing import listed_price
from ..base import Catalogue, Json, ModelInfo

CALLABLE_TYPES = ("chat", "embeddings")  # "completion" models are not served by /chat
# Where a model is served when Copilot's catalogue does not say, by its type.
DEFAULT_ENDPOINTS = {"chat": ("/chat/completions",), "embeddings": ("/embeddings",)}
# A chat model must be served on one of these (the other is reached by translation).
CHAT_PATHS = frozenset({"/chat/completions", "/responses"})


def callable_on_chat_api(model: Json) -> bool:
    """Copilot lists models it will not serve here: disabled by policy, served on neither
    chat nor /responses, or code-completion models. (An empty `supported_endpoints` says
    nothing: those work on chat.) Responses-only models are served: chat is translated."""
    if (model.get("policy") or {}).get("state") == "disabled":
        return False
    kind = (model.get("capabilities") or {}).get("type")
    endpoints = model.get("supported_endpoints") or []
    if kind == "chat" and endpoints and not CHAT_PATHS & set(endpoints):
        return False
    return kind in CALLABLE_TYPES


def as_openai_model(model: Json) -> Json:
    return {
        "id": model["id"],
        "object": "model",
        "created": 0,
        "owned_by": str(model.get("vendor") or "github-copilot"),
    }


def model_info(model: Json) -> ModelInfo:
    """A catalogue entry as ours: its kind, and the HTTP endpoints Copilot serves it on."""
    kind = model["capabilities"]["type"]
    listed = [e for e in model.get("supported_endpoints") or [] if e.startswith("/")]
    endpoints = tuple(listed) or DEFAULT_ENDPOINTS.get(kind, ())
    limit = (model["capabilities"].get("limits") or {}).get("max_prompt_tokens")
    max_prompt = limit if isinstance(limit, int) and not isinstance(limit, bool) else None
    billing: Json = model["billing"] if isinstance(model.get("billing"), dict) else {}
    multiplier = billing.get("multiplier") if billing.get("is_premium") else 0
    premium = float(multiplier) if isinstance(multiplier, int | float) else 0.0
    price = listed_price(billing)
    listed_model = as_openai_model(model)
    return ModelInfo(model["id"], kind, endpoints, listed_model, max_prompt, premium, price)


def catalogue_of(answer: Json) -> Catalogue:
    """The callable models of Copilot's answer, by id (of an id listed twice, the first)."""
    catalogue: Catalogue = {}
    for model in answer.get("data", []):
        if isinstance(model, dict) and "id" in model and callable_on_chat_api(model):
            catalogue.setdefault(model["id"], model_info(model))
    return catalogue
