"""Copilot's native Anthropic Messages API (`POST /v1/messages`), for the emulator's models
whose catalogue entry lists `/v1/messages`.

The answer is generated as for chat (`generate`), from the request turned into a chat-like
one, then given Anthropic's shape: content blocks, stop reasons, usage, named stream events.
A request with `thinking` gets a thinking block (with a signature) first, as Claude's do.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from .. import tokens
from . import catalog, generate
from .tools import last_user_text

if TYPE_CHECKING:
    from .app import CopilotEmulator

ENDPOINT = "/v1/messages"


def anthropic_error(status: int, kind: str, message: str) -> Response:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return Response(orjson.dumps(body), status, media_type="application/json")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(
        str(block.get("text", ""))
        for block in content or []
        if isinstance(block, dict) and block.get("type") == "text"
    )


def chat_like(body: dict) -> dict:
    """Just enough of a chat request for `generate`: texts, tools, forced tool, limit."""
    messages = [
        {"role": m.get("role"), "content": _text(m.get("content"))}
        for m in body.get("messages") or []
        if isinstance(m, dict)
    ]
    tools = [
        {
            "type": "function",
            "function": {"name": t["name"], "parameters": t.get("input_schema") or {}},
        }
        for t in body.get("tools") or []
        if isinstance(t, dict) and "name" in t and "input_schema" in t
    ]
    choice = body.get("tool_choice") or {}
    forced: Any = None
    if choice.get("type") == "tool":
        forced = {"type": "function", "function": {"name": choice.get("name")}}
    elif choice.get("type") == "any":
        forced = "required"
    return {
        "model": body["model"],
        "messages": messages,
        "tools": tools,
        "tool_choice": forced,
        "max_tokens": body.get("max_tokens"),
    }


def thinks(body: dict) -> bool:
    return (body.get("thinking") or {}).get("type") in ("enabled", "adaptive")


def content_blocks(body: dict, generated: list[generate.Choice]) -> list[dict]:
    blocks: list[dict] = []
    if thinks(body):
        thought = "Thinking about: " + last_user_text(chat_like(body)["messages"])[:80]
        signature = hashlib.sha256(thought.encode()).hexdigest()
        blocks.append({"type": "thinking", "thinking": thought, "signature": signature})
    for choice in generated:
        if choice.content:
            blocks.append({"type": "text", "text": choice.content})
        for call in choice.tool_calls:
            function = call["function"]
            blocks.append(
                {
                    "type": "tool_use",
                    "id": "toolu_" + call["id"].removeprefix("call_"),
                    "name": function["name"],
                    "input": orjson.loads(function["arguments"]),
                }
            )
    return blocks


def stop_reason(generated: list[generate.Choice]) -> str:
    if any(choice.tool_calls for choice in generated):
        return "tool_use"
    return "max_tokens" if any(c.finish_reason == "length" for c in generated) else "end_turn"


def answer_for(body: dict) -> dict:
    chat = chat_like(body)
    generated = generate.choices(chat)
    blocks = content_blocks(body, generated)
    texts = [
        b.get("text") or b.get("thinking") or orjson.dumps(b.get("input")).decode() for b in blocks
    ]
    digest = hashlib.sha256(orjson.dumps(body)).hexdigest()[:24]
    return {
        "id": f"msg_emu{digest}",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": blocks,
        "stop_reason": stop_reason(generated),
        "stop_sequence": None,
        "usage": {
            "input_tokens": tokens.count_prompt(chat["messages"], body["model"]),
            "output_tokens": tokens.count(texts, body["model"]),
        },
    }


def event(data: dict) -> bytes:
    return b"event: " + data["type"].encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


def block_events(index: int, block: dict) -> list[dict]:
    """A finished block as its start, deltas and stop, piece by piece."""
    kind = block["type"]
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": p} for p in generate.pieces(block["text"])]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [
            {"type": "thinking_delta", "thinking": p} for p in generate.pieces(block["thinking"])
        ]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    else:
        start = {**block, "input": {}}
        arguments = orjson.dumps(block["input"]).decode()
        half = len(arguments) // 2
        deltas = [
            {"type": "input_json_delta", "partial_json": part}
            for part in (arguments[:half], arguments[half:])
        ]
    return [
        {"type": "content_block_start", "index": index, "content_block": start},
        *({"type": "content_block_delta", "index": index, "delta": d} for d in deltas),
        {"type": "content_block_stop", "index": index},
    ]


def stream_events(answer: dict) -> list[dict]:
    usage = answer["usage"]
    opening = {**answer, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    events: list[dict] = [{"type": "message_start", "message": opening}, {"type": "ping"}]
    for index, block in enumerate(answer["content"]):
        events += block_events(index, block)
    delta = {"stop_reason": answer["stop_reason"], "stop_sequence": None}
    events.append(
        {
            "type": "message_delta",
            "delta": delta,
            "usage": {"output_tokens": usage["output_tokens"]},
        }
    )
    # Copilot's own accounting event, which is not Anthropic's.
    events.append({"type": "copilot_usage", "copilot_usage": {"total_nano_aiu": 1}})
    events.append({"type": "message_stop"})
    return events


async def create(emulator: CopilotEmulator, request: Request) -> Response:
    refusal = await emulator._refusal(request)
    if refusal:
        return refusal
    if "anthropic-version" not in request.headers:
        return anthropic_error(400, "invalid_request_error", "anthropic-version header is required")
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return anthropic_error(400, "invalid_request_error", "invalid JSON body")
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return anthropic_error(400, "invalid_request_error", "messages: Field required")
    model = catalog.BY_ID.get(str(body.get("model")))
    if model is None or ENDPOINT not in (model.get("supported_endpoints") or []):
        message = f'model "{body.get("model")}" is not accessible via the /v1/messages endpoint'
        return anthropic_error(400, "invalid_request_error", message)
    answer = answer_for(body)
    if not body.get("stream"):
        return Response(orjson.dumps(answer), media_type="application/json")
    return StreamingResponse(
        _paced(emulator, stream_events(answer)), media_type="text/event-stream"
    )


async def _paced(emulator: CopilotEmulator, events: list[dict]) -> AsyncIterator[bytes]:
    emulator.state.open_streams += 1
    try:
        for data in events:
            await emulator._pause(emulator.config.token_interval_ms)
            yield event(data)
    finally:
        emulator.state.open_streams -= 1
