"""Deterministic answers: the same request always gets the same reply, derived from it."""

from __future__ import annotations

import hashlib
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

import orjson

from . import counting
from .instances import TooLarge, Unsatisfiable, instance_of
from .json_mode import json_answer
from .text import text_answer
from .tools import chosen_tool

# Like Copilot's Claude models: text and tool calls in separate choices, tool calls
# numbered from 1, and `stop` as the finish reason while tool calls are pending.
SPLITS_TOOL_CALLS = {"claude-sonnet-4"}


@dataclass
class Choice:
    content: str | None
    finish_reason: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    first_call_index: int = 0  # how the stream numbers this choice's tool calls


class Refused(ValueError):
    """A request the emulator answers with Copilot's 400 (message, param)."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.message, self.param = message, param


def arguments_for(parameters: Any, seed: str) -> Any:
    """A tool's arguments: an instance of its parameters ({} when none can be built)."""
    try:
        return instance_of(parameters, seed)
    except Unsatisfiable:
        return {}  # tool parameters are free-form: a model still answers something
    except TooLarge as error:
        raise Refused(f"tools: {error}", "tools") from error


def tool_call(tool: dict, seed: str) -> dict[str, Any]:
    function = tool["function"]
    parameters = function.get("parameters", {})
    arguments = orjson.dumps(arguments_for(parameters, seed)).decode()
    call_id = "call_" + hashlib.sha256(f"{seed}:{function['name']}".encode()).hexdigest()[:24]
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": function["name"], "arguments": arguments},
    }


def formatted(body: dict, text: str, seed: str) -> str:
    """The answer in the response format asked for: JSON mode, a JSON schema, or text."""
    response_format = body.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "json_object":
        return orjson.dumps(json_answer(body["messages"], text, seed)).decode()
    if kind == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema", {})  # type: ignore[union-attr]
        try:
            return orjson.dumps(instance_of(schema, seed)).decode()
        except (TooLarge, Unsatisfiable) as error:
            message = f"response_format.json_schema: {error}"
            raise Refused(message, "response_format") from error
    return text


def choices(body: dict) -> list[Choice]:
    """The answer's choices; raises Refused for what the emulator will not generate."""
    model, messages = body["model"], body["messages"]
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    tool = chosen_tool(body)
    out = []
    for index in range(body.get("n") or 1):
        seed = f"{index}:{len(messages)}"
        if tool is not None:
            call = tool_call(tool, seed)
            if model in SPLITS_TOOL_CALLS and (body.get("n") or 1) == 1:
                name = call["function"]["name"]
                return [Choice(f"I will call {name}.", "stop"), Choice(None, "stop", [call], 1)]
            out.append(Choice(None, "tool_calls", [call]))
            continue
        text = formatted(body, text_answer(model, messages, index), seed)
        finish = "stop"
        if limit is not None:
            cut, total = counting.cut(text, max(int(limit), 0), model)
            if total > limit:
                text, finish = cut, "length"
        out.append(Choice(text, finish))
    return out


def completion_tokens(generated: list[Choice], model: str) -> int:
    texts = [c.content or "" for c in generated]
    texts += [call["function"]["arguments"] for c in generated for call in c.tool_calls]
    return counting.count(texts, model)


def pieces(text: str) -> list[str]:
    """How a reply is streamed: a word (with its trailing space) per chunk."""
    return re.findall(r"\s*\S+\s*", text) or [text]


def embedding(text: str, dimensions: int) -> list[float]:
    """A unit vector that depends only on the text (and its length)."""
    raw = hashlib.shake_256(text.encode()).digest(dimensions * 4)
    values = [v / 2**31 for v in struct.unpack(f"<{dimensions}i", raw)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]
