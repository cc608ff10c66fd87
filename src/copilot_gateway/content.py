"""The text of chat content (a string, or its parts' text): what token counting and the
legacy and Responses translations read."""

from __future__ import annotations

from typing import Any


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text of its parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""
