"""A Claude model's thinking, carried through a Gemini client as a `thoughtSignature`.

Messages wants a turn's thinking blocks back whole (the thought and its signature, or the
redacted block) before the tool calls they led to; a Gemini client sends back only the
signature of its parts (thought parts it may drop). So the signature a Gemini client gets
for a Claude model's turn is the turn's thinking blocks themselves, as base64 JSON (the
field is bytes), and they go back as they came. A signature that is not one (another
model's, or a client's own) is no thinking of Claude's: it is not sent."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from ...upstreams.base import Json

# The blocks a signature carries, and the string fields each must have.
FIELDS = {"thinking": ("thinking", "signature"), "redacted_thinking": ("data",)}


def as_signature(blocks: list[Json]) -> str | None:
    """The thinking blocks of a turn as one signature (None without any)."""
    kept = [
        {"type": block["type"], **{name: block.get(name, "") for name in FIELDS[block["type"]]}}
        for block in blocks
        if block.get("type") in FIELDS
    ]
    return base64.b64encode(orjson.dumps(kept)).decode() if kept else None


def is_block(value: Any) -> bool:
    names = FIELDS.get(str(value.get("type"))) if isinstance(value, dict) else None
    return names is not None and all(isinstance(value.get(name), str) for name in names)


def blocks_of(signature: Any) -> list[Json]:
    """The thinking blocks a signature carries; none if it is not one of `as_signature`'s."""
    if not isinstance(signature, str) or not signature:
        return []
    try:
        value = orjson.loads(base64.b64decode(signature, validate=True))
    except (binascii.Error, ValueError):
        return []
    if not isinstance(value, list) or not all(is_block(block) for block in value):
        return []
    return value
