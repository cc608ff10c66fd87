"""Prompts and inputs in every form OpenAI accepts, as the texts upstreams take."""

from __future__ import annotations

from typing import Any

from ... import tokens
from ...errors import InvalidRequest


def texts_of(value: Any, model: str, param: str) -> list[str]:
    """A text, texts, token ids, or lists of token ids, as texts."""
    if isinstance(value, str):
        return [value]
    if not value or all(isinstance(item, str) for item in value):
        return list(value)
    arrays = value if isinstance(value[0], list) else [value]
    try:
        return [tokens.decode(array, model) for array in arrays]
    except ValueError:
        raise InvalidRequest(
            f"The {param} holds token ids outside the model's vocabulary.", param=param
        ) from None
