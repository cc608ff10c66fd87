"""A Responses API request as a Chat Completions request (pure functions).

For models the upstream serves only on chat: `instructions` become the system message,
input items become messages, function tools and `tool_choice` their chat forms,
`text.format` the `response_format`, `max_output_tokens` the `max_tokens`.
"""

from __future__ import annotations

from typing import Any

import orjson

from ....content import content_text
from ....errors import InvalidRequest
from ....upstreams.base import Json
from ...chat_tools import function_tool, named_tool_choice, tool_call

# Request fields chat takes under the same name and meaning.
SAME_FIELDS = ("temperature", "top_p")


def unsupported(what: str, param: str) -> InvalidRequest:
    return InvalidRequest(
        f"{what} is not supported by this gateway (see its docs, docs/responses.md).",
        param=param,
        code="unsupported_parameter",
    )


def refuse_unsupported(request: Json) -> None:
    """Background runs, conversations and prompt templates are refused by name on every
    route, never ignored: a client relying on them must hear it. (Built-in tools are
    refused where the gateway translates: see `chat_request`; a native upstream gets them.)"""
    if request.get("background"):
        raise unsupported("'background: true'", "background")
    if request.get("conversation") is not None:
        raise unsupported("'conversation'", "conversation")
    if request.get("prompt") is not None:
        raise unsupported("'prompt' (prompt templates)", "prompt")


def refuse_built_in_tools(request: Json) -> None:
    for index, tool in enumerate(request.get("tools") or []):
        if tool.get("type") != "function":
            raise unsupported(f"The built-in tool '{tool.get('type')}'", f"tools[{index}].type")


def input_items(request: Json) -> list[Json]:
    """`input` as a list of items (a string is one user message)."""
    given = request.get("input")
    if given is None:
        return []
    if isinstance(given, str):
        return [{"type": "message", "role": "user", "content": given}]
    return list(given)


def part_as_chat(part: Json, param: str) -> Json:
    kind = part.get("type")
    if kind in ("input_text", "output_text", "text"):
        return {"type": "text", "text": part.get("text", "")}
    if kind == "refusal":
        return {"type": "text", "text": part.get("refusal", "")}
    if kind == "input_image":
        if not part.get("image_url"):
            raise unsupported("An image by file_id", f"{param}.file_id")
        image: Json = {"url": part["image_url"]}
        if part.get("detail") in ("low", "high", "auto"):
            image["detail"] = part["detail"]
        return {"type": "image_url", "image_url": image}
    raise unsupported(f"Content of type '{kind}'", f"{param}.type")


def as_json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def counted_part(part: Json, param: str) -> Json:
    """A content part as counted: what chat cannot take counts as its JSON."""
    try:
        return part_as_chat(part, param)
    except InvalidRequest:
        return {"type": "text", "text": as_json_text(part)}


def text_of(parts: list[Json]) -> str:
    return "".join(part["text"] for part in parts if part["type"] == "text")


def message_as_chat(item: Json, param: str, counting: bool = False) -> Json:
    role = item.get("role")
    role = "system" if role == "developer" else role  # not every chat backend knows developer
    content = item.get("content")
    if isinstance(content, list):
        as_part = counted_part if counting else part_as_chat
        parts = [as_part(part, f"{param}.content[{i}]") for i, part in enumerate(content)]
        # Only user messages take parts (images); the others take text.
        content = parts if role == "user" else text_of(parts)
    return {"role": role, "content": content if content is not None else ""}


def messages_of(instructions: Any, items: list[Json], *, counting: bool = False) -> list[Json]:
    """The chat messages for these input items (earlier turns included). `counting` (for
    the prompt limit, which natively served models need too) counts what chat cannot take
    as its JSON instead of refusing it."""
    messages: list[Json] = []
    if isinstance(instructions, str) and instructions:
        messages.append({"role": "system", "content": instructions})
    for index, item in enumerate(items):
        param = f"input[{index}]"
        kind = item.get("type", "message")
        if kind == "message":
            messages.append(message_as_chat(item, param, counting))
        elif kind == "function_call":
            call = tool_call(item["call_id"], item["name"], item.get("arguments", ""))
            last = messages[-1] if messages else None
            if last and last["role"] == "assistant":  # one turn: its text and its calls
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": item["call_id"],
                    "content": content_text(item.get("output")),
                }
            )
        elif kind == "reasoning":
            continue  # chat has no place for a reasoning item: the model reasons afresh
        elif counting:
            messages.append({"role": "user", "content": as_json_text(item)})
        else:
            raise unsupported(f"An input item of type '{kind}'", f"{param}.type")
    return messages


def tool_as_chat(tool: Json) -> Json:
    return function_tool(
        tool["name"], tool.get("parameters"), tool.get("description"), tool.get("strict")
    )


def tool_choice_as_chat(choice: Any) -> Any:
    if isinstance(choice, str):
        return choice
    if choice.get("type") == "function":
        return named_tool_choice(choice["name"])
    raise unsupported(f"A tool_choice of type '{choice.get('type')}'", "tool_choice.type")


def format_as_chat(text: Json | None) -> Json | None:
    """`text.format` as `response_format` (None for plain text)."""
    shape = (text or {}).get("format") or {}
    if shape.get("type") == "json_object":
        return {"type": "json_object"}
    if shape.get("type") == "json_schema":
        schema = {key: shape[key] for key in ("name", "description", "strict") if key in shape}
        return {"type": "json_schema", "json_schema": {**schema, "schema": shape.get("schema")}}
    return None


def chat_request(request: Json, items: list[Json]) -> Json:
    """The chat request for a Responses request whose full input (earlier turns first) is
    `items`. (What no route serves is refused before: see `refuse_unsupported`.)"""
    refuse_built_in_tools(request)
    messages = messages_of(request.get("instructions"), items)
    if not messages:
        raise InvalidRequest("Nothing to answer: 'input' is empty.", param="input")
    chat: Json = {"model": request["model"], "messages": messages}
    for name in SAME_FIELDS:
        if request.get(name) is not None:
            chat[name] = request[name]
    if request.get("max_output_tokens") is not None:
        chat["max_tokens"] = request["max_output_tokens"]
    if request.get("tools"):
        chat["tools"] = [tool_as_chat(tool) for tool in request["tools"]]
        if request.get("parallel_tool_calls") is not None:
            chat["parallel_tool_calls"] = request["parallel_tool_calls"]
    if request.get("tool_choice") is not None:
        chat["tool_choice"] = tool_choice_as_chat(request["tool_choice"])
    if response_format := format_as_chat(request.get("text")):
        chat["response_format"] = response_format
    effort = (request.get("reasoning") or {}).get("effort")
    if effort:
        chat["reasoning_effort"] = effort
    return chat
