"""A prompt longer than its model takes is refused before it leaves, not after a round trip.

Counted offline (see `tokens`), which can differ from the model's own tokenizer: Claude's
counts run higher than o200k's for the same text, so an offline count over the limit is
over it upstream too. The margin keeps a tokenizer that counts a little higher than the
model's from refusing a prompt the model would take.
"""

from __future__ import annotations

from .. import tokens
from ..errors import InvalidRequest
from ..upstreams.base import ModelInfo

MARGIN = 1.05  # refuse only when the offline count is 5% over the model's limit


def require_prompt_fits(info: ModelInfo, messages: list[dict]) -> None:
    """400 context_length_exceeded when the messages are over the model's prompt limit."""
    limit = info.max_prompt_tokens
    if limit is None:
        return
    # A token is at least one byte: a shorter prompt cannot be over the limit, so most are
    # let through without counting.
    size = sum(len(text.encode()) for message in messages for text in tokens.message_texts(message))
    overhead = tokens.TOKENS_PER_MESSAGE * len(messages) + tokens.TOKENS_PER_REPLY
    if size + overhead <= limit * MARGIN:
        return
    counted = tokens.count_prompt(messages, info.id)
    if counted > limit * MARGIN:
        raise InvalidRequest(
            f"This model's maximum prompt length is {limit} tokens; the messages hold about "
            f"{counted} (counted by the gateway, before sending).",
            param="messages",
            code="context_length_exceeded",
        )
