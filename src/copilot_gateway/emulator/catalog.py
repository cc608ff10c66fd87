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


MODELS: list[dict[str, Any]] = [
    _chat("gpt-4.1", "GPT-4.1", "Azure OpenAI", "o200k_base", vision=True),
    _chat("gpt-4o", "GPT-4o", "Azure OpenAI", "o200k_base", vision=True),
    _chat("claude-sonnet-4", "Claude Sonnet 4", "Anthropic", "o200k_base", vision=True),
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
