"""A prompt longer than its model takes is refused before it leaves, not after a round trip,
on every operation that sends one (see `models.model_for_prompt`).

Counted offline (see `tokens`), which can differ from the model's own tokenizer: Claude's
counts run higher than o200k's for the same text, so an offline count over the limit is
over it upstream too. The margin keeps a tokenizer that counts a little higher than the
model's from refusing a prompt the model would take.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import tokens
from ..errors import ContextTooLong
from ..upstreams.base import ModelInfo

MARGIN = 1.05  # refuse only when the offline count is 5% over the model's limit

# A prompt as it is counted: chat messages (what every surface translates to, or counts
# as), or one plain text (an embedding's input, which carries no chat overhead).
Prompt = list[dict[str, Any]] | str


def most_tokens(prompt: Prompt) -> int:
    """At least as many as the prompt's tokens, cheaply: a token is at least one byte."""
    if isinstance(prompt, str):
        return len(prompt.encode())
    size = sum(len(text.encode()) for message in prompt for text in tokens.message_texts(message))
    return size + tokens.TOKENS_PER_MESSAGE * len(prompt) + tokens.TOKENS_PER_REPLY


def count(prompt: Prompt, model: str) -> int:
    if isinstance(prompt, str):
        return tokens.count([prompt], model)
    return tokens.count_prompt(prompt, model)


def require_prompts_fit(info: ModelInfo, prompts: Iterable[Prompt], param: str) -> None:
    """400 context_length_exceeded (`ContextTooLong`, with the count and the limit), on
    `param`, when a prompt is over the model's limit."""
    limit = info.max_prompt_tokens
    if limit is None:
        return
    for prompt in prompts:
        # Most prompts are let through without counting: they are too short to be over.
        if most_tokens(prompt) <= limit * MARGIN:
            continue
        counted = count(prompt, info.id)
        if counted > limit * MARGIN:
            raise ContextTooLong(
                f"This model's maximum prompt length is {limit} tokens; your {param} came to "
                f"about {counted} (counted by the gateway, before sending). Please shorten "
                f"the {param}.",
                prompt_tokens=counted,
                limit=limit,
                param=param,
            )
