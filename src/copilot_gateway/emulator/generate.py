"""Deterministic answers: the same request always gets the same reply, derived from it."""

from __future__ import annotations

import hashlib
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

import orjson

from .. import tokens
from ..messages import content_text

ECHOED_WORDS = 40


# Like Copilot's Claude models: text and tool calls in separate choices, tool calls
# numbered from 1, and `stop` as the finish reason while tool calls are pending.
SPLITS_TOOL_CALLS = {"claude-sonnet-4"}


@dataclass
class Choice:
    content: str | None
    finish_reason: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    first_call_index: int = 0  # how the stream numbers this choice's tool calls


def last_user_text(messages: list[dict]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


def reply_text(model: str, messages: list[dict], index: int) -> str:
    words = last_user_text(messages).split()[:ECHOED_WORDS]
    said = " ".join(words) if words else "nothing"
    prefix = f"[{index}] " if index else ""
    return f"{prefix}Hello from the {model} emulator. You said: {said}"


def example_of(schema: Any) -> Any:
    """A small value that satisfies a (simple) JSON schema; {} for what it cannot read."""
    try:
        return _example_of(schema)
    except (TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return {}


def _example_of(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return {}
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for combinator in ("anyOf", "oneOf", "allOf"):
        if schema.get(combinator):
            return _example_of(schema[combinator][0])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: _example_of(sub) for name, sub in properties.items()}
    if kind == "array":
        return (
            [_example_of(schema["items"])] * min(schema.get("minItems", 0), 16)
            if "items" in schema
            else []
        )
    return {"string": "emulated", "integer": 0, "number": 0, "boolean": False, "null": None}.get(
        kind
    )


def forced_tool(body: dict) -> dict | None:
    """The tool the request forces, if any (a named tool, or `required`)."""
    tools = [t for t in body.get("tools") or [] if t.get("type") == "function"]
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        return next((t for t in tools if t["function"]["name"] == name), None)
    if choice == "required" and tools:
        return tools[0]
    return None


def tool_call(tool: dict, seed: str) -> dict[str, Any]:
    function = tool["function"]
    arguments = orjson.dumps(example_of(function.get("parameters", {}))).decode()
    call_id = "call_" + hashlib.sha256(f"{seed}:{function['name']}".encode()).hexdigest()[:24]
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": function["name"], "arguments": arguments},
    }


def formatted(text: str, response_format: dict | None) -> str:
    kind = (response_format or {}).get("type")
    if kind == "json_object":
        return orjson.dumps({"reply": text}).decode()
    if kind == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema", {})  # type: ignore[union-attr]
        return orjson.dumps(example_of(schema)).decode()
    return text


def choices(body: dict) -> list[Choice]:
    model, messages = body["model"], body["messages"]
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    tool = forced_tool(body)
    out = []
    for index in range(body.get("n") or 1):
        if tool is not None:
            call = tool_call(tool, f"{index}:{len(messages)}")
            if model in SPLITS_TOOL_CALLS and (body.get("n") or 1) == 1:
                name = call["function"]["name"]
                return [Choice(f"I will call {name}.", "stop"), Choice(None, "stop", [call], 1)]
            out.append(Choice(None, "tool_calls", [call]))
            continue
        text = formatted(reply_text(model, messages, index), body.get("response_format"))
        finish = "stop"
        if limit is not None:
            cut, total = tokens.truncate(text, max(int(limit), 0), model)
            if total > limit:
                text, finish = cut, "length"
        out.append(Choice(text, finish))
    return out


def completion_tokens(generated: list[Choice], model: str) -> int:
    texts = [c.content or "" for c in generated]
    texts += [call["function"]["arguments"] for c in generated for call in c.tool_calls]
    return tokens.count(texts, model)


def pieces(text: str) -> list[str]:
    """How a reply is streamed: a word (with its trailing space) per chunk."""
    return re.findall(r"\s*\S+\s*", text) or [text]


def embedding(text: str, dimensions: int) -> list[float]:
    """A unit vector that depends only on the text (and its length)."""
    raw = hashlib.shake_256(text.encode()).digest(dimensions * 4)
    values = [v / 2**31 for v in struct.unpack(f"<{dimensions}i", raw)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]
