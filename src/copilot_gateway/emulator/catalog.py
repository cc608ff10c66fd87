"""The emulator's model catalogue, shaped like Copilot's `GET /models` entries."""

from __future__ import annotations

from typing import Any

PREMIUM_PLANS = ["pro", "pro_plus", "individual_trial", "business", "enterprise"]
CLAUDE_ENDPOINTS = ["/chat/completions", "/v1/messages"]
GPT5_ENDPOINTS = ["/chat/completions", "/responses"]


def _chat(
    model_id: str,
    name: str,
    vendor: str,
    tokenizer: str,
    *,
    vision: bool,
    limits: tuple[int, int, int] = (128000, 64000, 16384),
    multiplier: float = 0,
    category: str = "versatile",
    endpoints: list[str] | None = None,
    reasoning: bool = False,
    preview: bool = False,
) -> dict[str, Any]:
    """A chat model as Copilot lists it; `limits` is (context window, prompt, output)."""
    context, prompt, output = limits
    supports: dict[str, Any] = {
        "streaming": True,
        "tool_calls": True,
        "parallel_tool_calls": True,
        "vision": vision,
        "structured_outputs": True,
    }
    if reasoning:
        supports["reasoning_effort"] = ["low", "medium", "high"]
    model_limits: dict[str, Any] = {
        "max_context_window_tokens": context,
        "max_prompt_tokens": prompt,
        "max_output_tokens": output,
    }
    if vision:
        model_limits["vision"] = {
            "max_prompt_images": 5,
            "max_prompt_image_size": 3145728,
            "supported_media_types": ["image/jpeg", "image/png", "image/webp"],
        }
    billing: dict[str, Any] = {"is_premium": multiplier > 0, "multiplier": multiplier}
    if multiplier > 0:
        billing["restricted_to"] = PREMIUM_PLANS
    model: dict[str, Any] = {
        "id": model_id,
        "name": name,
        "object": "model",
        "vendor": vendor,
        "version": model_id,
        "preview": preview,
        "model_picker_enabled": True,
        "model_picker_category": category,
        "is_chat_default": model_id == "gpt-4.1",
        "is_chat_fallback": model_id == "gpt-4.1",
        "policy": {"state": "enabled", "terms": f"Enable access to {name}."},
        "billing": billing,
        "capabilities": {
            "object": "model_capabilities",
            "type": "chat",
            "family": model_id,
            "tokenizer": tokenizer,
            "limits": model_limits,
            "supports": supports,
        },
    }
    if endpoints:
        model["supported_endpoints"] = endpoints
    return model


def _disabled(model: dict[str, Any]) -> dict[str, Any]:
    """Listed, but not enabled for this account: calling it is 400 model_not_supported."""
    return {**model, "policy": {"state": "disabled", "terms": model["policy"]["terms"]}}


def _responses_only(model: dict[str, Any]) -> dict[str, Any]:
    """Served only on /responses: calling it on chat is 400 unsupported_api_for_model."""
    return {**model, "supported_endpoints": ["/responses", "ws:/responses"]}


def _embeddings(model_id: str, name: str) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": name,
        "object": "model",
        "vendor": "Azure OpenAI",
        "version": model_id,
        "preview": False,
        "model_picker_enabled": False,
        "is_chat_default": False,
        "is_chat_fallback": False,
        "capabilities": {
            "object": "model_capabilities",
            "type": "embeddings",
            "family": model_id,
            "tokenizer": "cl100k_base",
            "limits": {"max_inputs": 512},
            "supports": {"dimensions": True},
        },
    }


OPENAI, ANTHROPIC, GOOGLE = "Azure OpenAI", "Anthropic", "Google"
# Limits and premium multipliers as Copilot reports them for each family.
MODELS: list[dict[str, Any]] = [
    _chat("gpt-4.1", "GPT-4.1", OPENAI, "o200k_base", vision=True),
    _chat("gpt-4o", "GPT-4o", OPENAI, "o200k_base", vision=True),
    # Copilot lists some ids twice.
    _chat("gpt-4o", "GPT-4o", OPENAI, "o200k_base", vision=True),
    _chat("gpt-4o-mini", "GPT-4o mini", OPENAI, "o200k_base", vision=False, category="lightweight"),
    _chat(
        "gpt-5",
        "GPT-5",
        OPENAI,
        "o200k_base",
        vision=True,
        limits=(264000, 128000, 64000),
        multiplier=1,
        category="powerful",
        endpoints=GPT5_ENDPOINTS,
        reasoning=True,
    ),
    _chat(
        "gpt-5-mini",
        "GPT-5 mini",
        OPENAI,
        "o200k_base",
        vision=True,
        limits=(264000, 128000, 64000),
        category="lightweight",
        endpoints=GPT5_ENDPOINTS,
        reasoning=True,
    ),
    _chat(
        "o3-mini",
        "o3-mini",
        OPENAI,
        "o200k_base",
        vision=False,
        limits=(200000, 64000, 100000),
        multiplier=0.33,
        category="lightweight",
        reasoning=True,
    ),
    _chat(
        "o4-mini",
        "o4-mini",
        OPENAI,
        "o200k_base",
        vision=True,
        limits=(128000, 64000, 16384),
        multiplier=0.33,
        category="lightweight",
        reasoning=True,
        preview=True,
    ),
    _chat(
        "claude-sonnet-4",
        "Claude Sonnet 4",
        ANTHROPIC,
        "o200k_base",
        vision=True,
        limits=(216000, 128000, 16000),
        multiplier=1,
        endpoints=CLAUDE_ENDPOINTS,
    ),
    _chat(
        "claude-3.5-sonnet",
        "Claude Sonnet 3.5",
        ANTHROPIC,
        "o200k_base",
        vision=True,
        limits=(90000, 90000, 8192),
        multiplier=1,
        endpoints=CLAUDE_ENDPOINTS,
    ),
    _chat(
        "claude-3.7-sonnet",
        "Claude Sonnet 3.7",
        ANTHROPIC,
        "o200k_base",
        vision=True,
        limits=(200000, 90000, 8192),
        multiplier=1,
        endpoints=CLAUDE_ENDPOINTS,
    ),
    _disabled(
        _chat(
            "claude-opus-4",
            "Claude Opus 4",
            ANTHROPIC,
            "o200k_base",
            vision=True,
            limits=(200000, 80000, 16000),
            multiplier=10,
            category="powerful",
            endpoints=CLAUDE_ENDPOINTS,
        )
    ),
    _chat(
        "gemini-2.5-pro",
        "Gemini 2.5 Pro",
        GOOGLE,
        "o200k_base",
        vision=True,
        limits=(128000, 128000, 64000),
        multiplier=1,
        category="powerful",
        preview=True,
    ),
    _chat(
        "gemini-2.0-flash-001",
        "Gemini 2.0 Flash",
        GOOGLE,
        "o200k_base",
        vision=True,
        limits=(1000000, 128000, 8192),
        multiplier=0.25,
        category="lightweight",
    ),
    _responses_only(
        _chat("gpt-5-codex", "GPT-5 Codex", OPENAI, "o200k_base", vision=False, multiplier=1)
    ),
    _embeddings("text-embedding-3-small", "Embedding V3 small"),
    _embeddings("text-embedding-ada-002", "Embedding V2 Ada"),
    {
        # A code-completion model: listed by Copilot, but not callable on /chat/completions.
        "id": "gpt-41-copilot",
        "name": "GPT-4.1 Copilot",
        "object": "model",
        "vendor": "Azure OpenAI",
        "version": "gpt-41-copilot",
        "preview": False,
        "model_picker_enabled": False,
        "is_chat_default": False,
        "is_chat_fallback": False,
        "capabilities": {
            "object": "model_capabilities",
            "type": "completion",
            "family": "gpt-41-copilot",
            "tokenizer": "o200k_base",
            "supports": {},
        },
    },
]

BY_ID = {model["id"]: model for model in MODELS}
EMBEDDING_DIMENSIONS = 1536


def model_type(model_id: str) -> str | None:
    model = BY_ID.get(model_id)
    return model["capabilities"]["type"] if model else None


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
