"""The Messages API's rules that its JSON Schema cannot say, checked before a request takes
either route (native or translated), and by count_tokens, as Anthropic's API checks them."""

from __future__ import annotations

from ...errors import InvalidRequest
from ...upstreams.base import Json

EMPTY: tuple[object, ...] = ("", [])


def require_content(body: Json) -> None:
    """Every message has content, but the final one when it is the assistant's (a prefill,
    which may be empty)."""
    messages = body["messages"]
    last = len(messages) - 1
    for n, message in enumerate(messages):
        if message.get("content") not in EMPTY:
            continue
        if n == last and message.get("role") == "assistant":
            continue
        raise InvalidRequest(
            f"messages.{n}: all messages must have non-empty content except for the optional "
            "final assistant message",
            param=f"messages[{n}].content",
        )
