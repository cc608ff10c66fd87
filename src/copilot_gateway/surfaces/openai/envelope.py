"""The envelope OpenAI wraps around choices, in answers and in stream chunks alike."""

from __future__ import annotations

from typing import Any


def envelope(
    object_type: str, id: str, created: int, model: str, choices: list, **extra: Any
) -> dict[str, Any]:
    """`{"id", "object", "created", "model", "choices", ...}`, e.g. a chat.completion.chunk."""
    return {
        "id": id,
        "object": object_type,
        "created": created,
        "model": model,
        "choices": choices,
        **extra,
    }
