"""A Claude model's Messages answer (and stream) in chat's shapes, so that one translation
to Google's serves every route (see `answers`, `stream`): text as content, thinking as
`reasoning_text`, the turn's thinking blocks as `reasoning_opaque` (the signature a Gemini
client sends back, see `thinking_blocks`), `tool_use` blocks as tool calls, the stop
reason as chat's finish reason, usage as chat counts it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson

from ... import usage
from ...errors import UpstreamFailed
from ...upstreams.base import EventStream, Json
from ..chat_tools import tool_call
from .thinking_blocks import as_signature

FINISH_BY_STOP = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def finish_reason(stop: Any) -> str:
    return FINISH_BY_STOP.get(stop, "stop") if isinstance(stop, str) else "stop"


def chat_usage(prompt: Json, output: Json) -> Json:
    used = usage.chat_usage(prompt.get("prompt_tokens", 0), output.get("completion_tokens", 0))
    if prompt.get("prompt_tokens_details"):
        used["prompt_tokens_details"] = prompt["prompt_tokens_details"]
    return used


def chat_answer(message: Json) -> Json:
    """A Message as an upstream chat answer (one choice)."""
    blocks = [block for block in message.get("content") or [] if isinstance(block, dict)]
    texts = [str(block.get("text") or "") for block in blocks if block.get("type") == "text"]
    thoughts = [str(b.get("thinking") or "") for b in blocks if b.get("type") == "thinking"]
    calls = [
        tool_call(
            str(block.get("id")),
            str(block.get("name")),
            orjson.dumps(block.get("input") or {}).decode(),
        )
        for block in blocks
        if block.get("type") == "tool_use"
    ]
    reply: Json = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        reply["tool_calls"] = calls
    if thoughts:
        reply["reasoning_text"] = "".join(thoughts)
    if (signature := as_signature(blocks)) is not None:
        reply["reasoning_opaque"] = signature
    counted = usage.chat_from_anthropic(message.get("usage"))
    choice = {
        "index": 0,
        "message": reply,
        "finish_reason": finish_reason(message.get("stop_reason")),
    }
    return {
        "model": message.get("model"),
        "choices": [choice],
        "usage": chat_usage(counted, counted),
    }


def chunk(delta: Json, finish: str | None = None, **extra: Any) -> Json:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}


class MessagesStream:
    """What a Messages stream said so far: its blocks by index, as they stand, and its
    usage (the prompt in its first event, the output, cumulative, in `message_delta`)."""

    def __init__(self) -> None:
        self.blocks: dict[int, Json] = {}
        self.calls: dict[int, int] = {}  # block index -> tool call number
        self.prompt: Json = {}
        self.output: Json = {}
        self.stop: Any = None
        self.model: str | None = None

    def started(self, event: Json) -> Json | None:
        index, block = event.get("index", 0), dict(event.get("content_block") or {})
        self.blocks[index] = block
        if block.get("type") != "tool_use":
            return None
        self.calls[index] = len(self.calls)
        head = tool_call(str(block.get("id")), str(block.get("name")), "")
        return chunk({"tool_calls": [{"index": self.calls[index], **head}]})

    def delta(self, event: Json) -> Json | None:
        index, delta = event.get("index", 0), event.get("delta") or {}
        block = self.blocks.setdefault(index, {})
        kind = delta.get("type")
        if kind == "text_delta":
            return chunk({"content": delta.get("text", "")})
        if kind == "thinking_delta":
            block["thinking"] = block.get("thinking", "") + delta.get("thinking", "")
            return chunk({"reasoning_text": delta.get("thinking", "")})
        if kind == "signature_delta":
            block["signature"] = block.get("signature", "") + delta.get("signature", "")
        elif kind == "input_json_delta" and index in self.calls:
            arguments = {
                "index": self.calls[index],
                "function": {"arguments": delta.get("partial_json", "")},
            }
            return chunk({"tool_calls": [arguments]})
        return None

    def read(self, event: Json) -> Json | None:
        """The chat chunk an event makes, if any."""
        kind = event.get("type")
        if kind == "message_start":
            message = event.get("message") or {}
            self.model = message.get("model")
            self.prompt = usage.chat_from_anthropic(message.get("usage"))
        elif kind == "content_block_start":
            return self.started(event)
        elif kind == "content_block_delta":
            return self.delta(event)
        elif kind == "message_delta":
            self.stop = (event.get("delta") or {}).get("stop_reason")
            self.output = usage.chat_from_anthropic(event.get("usage"))
        elif kind == "error":
            message = (event.get("error") or {}).get("message", "the stream failed")
            raise UpstreamFailed(f"The upstream failed mid-stream: {message}")
        return None

    def last(self) -> Json:
        """The last chunk: the turn's thinking as its signature, the finish, the usage."""
        signature = as_signature([self.blocks[index] for index in sorted(self.blocks)])
        delta = {"reasoning_opaque": signature} if signature else {}
        used = chat_usage(self.prompt, self.output)
        return chunk(delta, finish_reason(self.stop), model=self.model, usage=used)


async def chat_chunks(events: EventStream) -> AsyncIterator[Json]:
    """Messages stream events as chat chunks, until `message_stop`."""
    stream = MessagesStream()
    try:
        async for event in events:
            if event.get("type") == "message_stop":
                yield stream.last()
                return
            if (out := stream.read(event)) is not None:
                yield out
    finally:
        await events.aclose()
    raise UpstreamFailed("The upstream stream ended before its message_stop event.")
