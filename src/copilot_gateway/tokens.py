"""Offline token counting (toktok: tiktoken-identical counts, vocabularies built in).

Only the tokenizer and what it counts; usage objects, and whether to count at all, are
`usage`'s."""

from __future__ import annotations

from collections.abc import Iterable

import toktok

from .content import content_text

# Model families on the older vocabulary; everything newer uses o200k_base.
CL100K_PREFIXES = ("gpt-3.5", "gpt-35", "text-embedding-", "davinci", "babbage")
# The overhead OpenAI's chat format adds: per message, per name, and to prime the reply.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
TOKENS_PER_REPLY = 3


def encoding_for(model: str) -> str:
    name = model.lower()
    if name.startswith(CL100K_PREFIXES) or (
        name.startswith("gpt-4") and not name.startswith(("gpt-4o", "gpt-4.", "gpt-4-o"))
    ):
        return "cl100k_base"
    return "o200k_base"


def warm() -> None:
    """Load the vocabulary most models use now, at start-up: loading it takes about half a
    second holding the GIL, which on a request's path would stall every other request."""
    toktok.batch_count([""], "o200k_base", threads=1)


def count(texts: Iterable[str], model: str) -> int:
    return sum(toktok.batch_count(list(texts), encoding_for(model), threads=1))


def decode(tokens: list[int], model: str) -> str:
    """Token ids back to text (for inputs given as token arrays); ValueError if one is unknown."""
    encoding = toktok._encoding(encoding_for(model))
    if any(not 0 <= token <= encoding.max_token_value for token in tokens):
        raise ValueError("token id outside the vocabulary")
    return str(encoding.decode(tokens))


def generated_texts(message: dict) -> list[str]:
    """What a model wrote in a message: its text and its tool calls."""
    texts = [content_text(message.get("content"))]
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        texts += [str(function.get("name", "")), str(function.get("arguments", ""))]
    return texts


def message_texts(message: dict) -> list[str]:
    return [str(message.get("role", "")), *generated_texts(message)]


def count_prompt(messages: list[dict], model: str) -> int:
    """Prompt tokens of a chat request, counted the way OpenAI's cookbook does."""
    texts = [text for message in messages for text in message_texts(message)]
    names = [str(m["name"]) for m in messages if m.get("name")]
    overhead = TOKENS_PER_MESSAGE * len(messages) + TOKENS_PER_NAME * len(names) + TOKENS_PER_REPLY
    return count(texts + names, model) + overhead
