"""The emulator's model catalogue, shaped like Copilot's `GET /models` entries."""

from __future__ import annotations

from typing import Any


def _chat(model_id: str, name: str, vendor: str, tokenizer: str, *, vision: bool) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": name,
        "object": "model",
        "vendor": vendor,
        "version": model_id,
        "preview": False,
        "model_picker_enabled": True,
        "is_chat_default": model_id == "gpt-4.1",
        "is_chat_fallback": model_id == "gpt-4.1",
        "policy": {"state": "enabled", "terms": f"Enable access to {name}."},
        "capabilities": {
            "object": "model_capabilities",
            "type": "chat",
            "family": model_id,
            "tokenizer": tokenizer,
            "limits": {
                "max_context_window_tokens": 128000,
                "max_prompt_tokens": 64000,
                "max_output_tokens": 16384,
            },
            "supports": {
                "streaming": True,
                "tool_calls": True,
                "parallel_tool_calls": True,
                "vision": vision,
                "structured_outputs": True,
            },
        },
    }


def _disabled(model: dict[str, Any]) -> dict[str, Any]:
    """Listed, but not enabled for this account: calling it is 400 model_not_supported."""
    return {**model, "policy": {"state": "disabled", "terms": model["policy"]["terms"]}}


def _responses_only(model: dict[str, Any]) -> dict[str, Any]:
    """Served only on /responses: calling it on chat is 400 unsupported_api_for_model."""
    return {**model, "supported_endpoints": ["/responses", "ws:/responses"]}


MODELS: list[dict[str, Any]] = [
    _chat("gpt-4.1", "GPT-4.1", "Azure OpenAI", "o200k_base", vision=True),
    _chat("gpt-4o", "GPT-4o", "Azure OpenAI", "o200k_base", vision=True),
    # Copilot lists some ids twice.
    _chat("gpt-4o", "GPT-4o", "Azure OpenAI", "o200k_base", vision=True),
    _chat("claude-sonnet-4", "Claude Sonnet 4", "Anthropic", "o200k_base", vision=True),
    _disabled(_chat("claude-opus-4", "Claude Opus 4", "Anthropic", "o200k_base", vision=True)),
    _responses_only(
        _chat("gpt-5-codex", "GPT-5 Codex", "Azure OpenAI", "o200k_base", vision=False)
    ),
    # Served on both: the gateway passes /responses through for it.
    {
        **_chat("gpt-5-mini", "GPT-5 mini", "Azure OpenAI", "o200k_base", vision=True),
        "supported_endpoints": ["/chat/completions", "/responses"],
    },
    {
        "id": "text-embedding-3-small",
        "name": "Embedding V3 small",
        "object": "model",
        "vendor": "Azure OpenAI",
        "version": "text-embedding-3-small",
        "preview": False,
        "model_picker_enabled": False,
        "is_chat_default": False,
        "is_chat_fallback": False,
        "capabilities": {
            "object": "model_capabilities",
            "type": "embeddings",
            "family": "text-embedding-3-small",
            "tokenizer": "cl100k_base",
            "limits": {"max_inputs": 512},
            "supports": {"dimensions": True},
        },
    },
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
