"""The text of chat content, which token counting and the legacy and Responses
translations read; and two image checks kept only while the emulator imports them.

The surfaces' own facts live in their folders (which requests hold images, who made them:
`surfaces/*/endpoints.py`); `has_image` and `has_input_image` go once the emulator has its
own checks.
"""

from __future__ import annotations

from typing import Any


def has_image(messages: Any) -> bool:
    """Whether any message carries an image part (Copilot wants a header for those)."""
    return isinstance(messages, list) and any(
        isinstance(message, dict)
        and isinstance(message.get("content"), list)
        and any(
            isinstance(part, dict) and part.get("type") == "image_url"
            for part in message["content"]
        )
        for message in messages
    )


def has_input_image(items: Any) -> bool:
    """Whether Responses API input items carry an image part."""
    return isinstance(items, list) and any(
        isinstance(item, dict)
        and isinstance(item.get("content"), list)
        and any(
            isinstance(part, dict) and part.get("type") == "input_image" for part in item["content"]
        )
        for item in items
    )


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text of its parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""
