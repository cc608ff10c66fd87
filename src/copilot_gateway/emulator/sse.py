"""Server-sent events as Copilot frames them: chat sends bare `data:` lines ending with
`data: [DONE]`; Responses and Messages send named events (`event:` then `data:`)."""

from __future__ import annotations

from typing import Any

import orjson

DONE = b"data: [DONE]\n\n"


def data(body: object) -> bytes:
    """One unnamed event (a chat chunk)."""
    return b"data: " + orjson.dumps(body) + b"\n\n"


def named(body: dict[str, Any]) -> bytes:
    """One event named by its body's `type` (Responses and Messages events)."""
    return b"event: " + str(body["type"]).encode() + b"\n" + data(body)
