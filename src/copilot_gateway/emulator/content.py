"""What a request's messages hold, read the way Copilot reads each API's content shapes."""

from __future__ import annotations

from typing import Any


def parts(content: Any) -> list[dict[str, Any]]:
    """A content's parts (blocks): a string has none."""
    return [part for part in content if isinstance(part, dict)] if isinstance(content, list) else []


def text_of(content: Any) -> str:
    """A message's text: a string, or its parts' texts run together (images say nothing)."""
    if isinstance(content, str):
        return content
    return "".join(part["text"] for part in parts(content) if isinstance(part.get("text"), str))


def _carries(messages: Any, part_type: str) -> bool:
    if not isinstance(messages, list):
        return False
    return any(
        part.get("type") == part_type
        for message in messages
        if isinstance(message, dict)
        for part in parts(message.get("content"))
    )


def chat_has_image(messages: Any) -> bool:
    """Chat messages with an `image_url` part: Copilot wants `Copilot-Vision-Request`."""
    return _carries(messages, "image_url")


def responses_has_image(items: Any) -> bool:
    """Responses input items with an `input_image` part (the same header rule)."""
    return _carries(items, "input_image")
