"""Facts about chat messages that more than one part of the gateway needs."""

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


def _blocks(content: Any) -> list[dict]:
    return (
        [block for block in content if isinstance(block, dict)] if isinstance(content, list) else []
    )


def has_anthropic_image(messages: Any) -> bool:
    """Whether any Anthropic message carries an image block (in a tool result too)."""
    if not isinstance(messages, list):
        return False
    for message in messages:
        for block in _blocks(message.get("content") if isinstance(message, dict) else None):
            inner = _blocks(block.get("content")) if block.get("type") == "tool_result" else []
            if any(b.get("type") == "image" for b in [block, *inner]):
                return True
    return False


def is_person_turn(message: dict) -> bool:
    """An Anthropic user message a person wrote: not one carrying tool results."""
    if message.get("role") != "user":
        return False
    return not any(block.get("type") == "tool_result" for block in _blocks(message.get("content")))
