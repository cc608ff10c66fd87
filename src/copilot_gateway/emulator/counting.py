"""Token counts, by the vocabulary each model's catalogue entry names (toktok counts as
tiktoken does). Prompts are counted as OpenAI's cookbook does for chat: every message costs
its texts and 3 tokens, a name 1 more, and 3 prime the reply."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import toktok

from . import catalog
from .content import text_of

DEFAULT_TOKENIZER = "o200k_base"
PER_MESSAGE, PER_NAME, PER_REPLY = 3, 1, 3


def tokenizer_of(model: str) -> str:
    entry = catalog.BY_ID.get(model) or {}
    tokenizer = (entry.get("capabilities") or {}).get("tokenizer")
    return tokenizer if isinstance(tokenizer, str) else DEFAULT_TOKENIZER


def count(texts: Iterable[str], model: str) -> int:
    """The tokens of the texts, each counted on its own."""
    return sum(toktok.batch_count(list(texts), tokenizer_of(model), threads=1))


def cut(text: str, max_tokens: int, model: str) -> tuple[str, int]:
    """(the longest start of `text` within `max_tokens`, the tokens of all of it)"""
    kept, total = toktok.truncate(text, max_tokens, tokenizer_of(model))
    return kept, total


def _texts(message: dict[str, Any]) -> list[str]:
    texts = [str(message.get("role", "")), text_of(message.get("content"))]
    for call in message.get("tool_calls") or []:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            texts += [str(function.get("name", "")), str(function.get("arguments", ""))]
    return texts


def prompt_tokens(messages: list[dict[str, Any]], model: str) -> int:
    """A chat prompt's tokens (see the module's rule)."""
    texts = [text for message in messages for text in _texts(message)]
    names = [str(message["name"]) for message in messages if message.get("name")]
    overhead = PER_MESSAGE * len(messages) + PER_NAME * len(names) + PER_REPLY
    return count(texts + names, model) + overhead
