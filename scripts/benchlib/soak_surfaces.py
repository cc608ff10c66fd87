"""The soak's surfaces: what each sends, with which key, and what its complete answer is.

Each surface has a key of its own (`key-1`, `key-2`... in the gateway's GATEWAY_API_KEYS
order), so the ledger's rows are counted per surface by their key's name. Every answer is
one outcome: `completed`, or the failure it was, named (see `outcome`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .loads import FILLER, JSON, chat_body

Json = dict[str, Any]
COMPLETED = "completed"
BROKEN = "broken conversation"  # a continuation refused for its previous_response_id
CONVERSATION_TURNS = 8  # then a new one: a soak holds a steady state, not a growing context


@dataclass(frozen=True)
class Surface:
    name: str
    path: str  # under the gateway's URL; the WebSocket's is upgraded
    body: Json
    key_place: str  # "bearer", "x-api-key" or "x-goog-api-key"
    end: bytes = b""  # what a complete stream holds (empty: not streamed)

    @property
    def streamed(self) -> bool:
        return bool(self.end)


GEMINI = "/v1beta/models/gemini-2.5-pro"
GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": FILLER}]}]}
MESSAGES_BODY = {
    "model": "claude-sonnet-4.5",
    "max_tokens": 256,
    "messages": [{"role": "user", "content": FILLER}],
}
RESPONSES_SSE = "Responses over SSE"
RESPONSES_SOCKET = "Responses over WebSocket"

SURFACES = (
    Surface("chat", "/v1/chat/completions", json.loads(chat_body(2048)), "bearer"),
    Surface(
        "chat, streamed",
        "/v1/chat/completions",
        json.loads(chat_body(2048, stream=True)),
        "bearer",
        b"data: [DONE]",
    ),
    Surface("completions", "/v1/completions", {"model": "gpt-4o", "prompt": FILLER}, "bearer"),
    Surface(
        "embeddings",
        "/v1/embeddings",
        {"model": "text-embedding-3-small", "input": [f"input number {i}" for i in range(16)]},
        "bearer",
    ),
    Surface(
        RESPONSES_SSE,
        "/v1/responses",
        {"model": "gpt-5-mini", "stream": True},
        "bearer",
        b"event: response.completed",
    ),
    Surface(RESPONSES_SOCKET, "/v1/responses", {"model": "gpt-5-mini"}, "bearer"),
    Surface("Messages", "/v1/messages", MESSAGES_BODY, "x-api-key"),
    Surface(
        "Messages, streamed",
        "/v1/messages",
        {**MESSAGES_BODY, "stream": True},
        "x-api-key",
        b"event: message_stop",
    ),
    Surface("Gemini generateContent", f"{GEMINI}:generateContent", GEMINI_BODY, "x-goog-api-key"),
    Surface(
        "Gemini streamGenerateContent",
        f"{GEMINI}:streamGenerateContent?alt=sse",
        GEMINI_BODY,
        "x-goog-api-key",
        b'"finishReason"',
    ),
)


def secret(number: int) -> str:
    """The key of the surface at `number` (from 0) in SURFACES."""
    return f"sk-soak-{number + 1}"


def api_keys() -> str:
    """GATEWAY_API_KEYS for the gateway: one key per surface, named key-1, key-2..."""
    return ",".join(secret(number) for number in range(len(SURFACES)))


def key_name(number: int) -> str:
    return f"key-{number + 1}"


def headers(number: int) -> dict[str, str]:
    key, place = secret(number), SURFACES[number].key_place
    if place == "bearer":
        return {**JSON, "Authorization": f"Bearer {key}"}
    if place == "x-api-key":
        return {**JSON, "x-api-key": key, "anthropic-version": "2023-06-01"}
    return {**JSON, place: key}


def outcome(surface: Surface, status: int, payload: bytes) -> str:
    """What one HTTP answer was: completed, or its failure's name."""
    if status == 404 and b"previous_response_id" in payload:
        return BROKEN
    if status != 200:
        return f"status {status}"
    if not surface.streamed:
        return COMPLETED
    last = payload.rstrip(b"\n").rsplit(b"\n\n", 1)[-1]
    if surface.end in last:
        return COMPLETED
    if b"event: error" in last or b'"error"' in last:
        return "error event"
    return "cut stream"  # ended with no word of why


def response_id(payload: bytes, stream: bool) -> str:
    """The id of a created response, from its JSON or its stream's completed event."""
    if not stream:
        return str(json.loads(payload)["id"])
    for line in payload.splitlines():
        if line.startswith(b"data: ") and b'"response.completed"' in line:
            return str(json.loads(line[6:])["response"]["id"])
    raise ValueError("no response.completed event")


def turn_body(surface: Surface, turn: int, previous: str | None) -> Json:
    """A Responses turn: its input, continuing `previous` when there is one."""
    body: Json = {**surface.body, "input": f"Turn {turn}: {FILLER[:200]}"}
    if previous:
        body["previous_response_id"] = previous
    return body


def socket_outcome(event: Mapping[str, Any]) -> str | None:
    """What a WebSocket turn's event ends it as (None: the turn goes on)."""
    kind = event.get("type")
    if kind == "response.completed":
        return COMPLETED
    if kind == "error":
        error = event.get("error") or {}
        if error.get("code") == "previous_response_not_found":
            return BROKEN
        return f"error event ({error.get('code')})"
    if kind in ("response.failed", "response.incomplete"):
        return kind
    return None
