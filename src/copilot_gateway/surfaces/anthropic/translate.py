"""Messages <-> Chat Completions, for models not served natively on `/v1/messages`.

Pure functions (and one pure stream converter). What has no Chat Completions equivalent
follows one rule: settings that only tune how Anthropic serves a request are dropped
(`thinking` and thinking blocks in the history, `top_k`, `context_management`,
`output_config`, `container`, `mcp_servers`, `service_tier`, and server tools: every tool
with a `type` other than `custom`), while content the model would need to see and cannot
(a document other than plain text, an image or file by `file_id`, a `tool_choice` naming a
dropped tool) is refused with a 400.

`cache_control` is kept, in Copilot's words: the chat message (or tool) that holds a marked
block gets `copilot_cache_control: {"type": "ephemeral"}`, where Copilot's own clients put
it (VS Code, opencode, the maintained proxies; the message, not the content part). Copilot
takes it on every model's chat (it ignores it where nothing is cached: UNCERTAIN, from
clients that send it for every model); upstreams that are not Copilot never see it (see
`openai.endpoints.plain_chat`).
"""

from __future__ import annotations

from typing import Any

import orjson

from ...errors import InvalidRequest
from ...upstreams.base import Json
from ...usage import anthropic_from_chat
from ..chat_tools import function_tool, named_tool_choice, tool_call
from ..choices import StreamChoices

# Chat's finish reasons as Anthropic's stop reasons.
STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}


# Copilot's cache hint on chat, and the one value it takes (Anthropic's `ttl` has no place).
CACHE_HINT = "copilot_cache_control"
EPHEMERAL = {"type": "ephemeral"}


def _blocks(content: Any) -> list[Json]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for block in content or [] if isinstance(block, dict)]


def marked(block: Json) -> bool:
    """Whether the client marked this block (or tool) as a cache breakpoint."""
    return isinstance(block.get("cache_control"), dict)


def any_marked(content: Any) -> bool:
    return any(marked(block) for block in _blocks(content))


def hinted(item: Json, cached: bool) -> Json:
    """The chat message (or tool) with Copilot's cache hint, when its blocks were marked."""
    if cached:
        item[CACHE_HINT] = dict(EPHEMERAL)
    return item


def system_text(system: Any) -> str:
    """`system` as one string: a string, or its text blocks joined."""
    return "\n\n".join(block.get("text", "") for block in _blocks(system) if block.get("text"))


def image_part(block: Json, where: str) -> Json:
    source = block.get("source") or {}
    if source.get("type") == "base64":
        url = f"data:{source.get('media_type')};base64,{source.get('data')}"
    elif source.get("type") == "url":
        url = source.get("url", "")
    else:
        raise InvalidRequest(
            f"Images by '{source.get('type')}' cannot be sent to this model: send base64 data.",
            param=where,
        )
    return {"type": "image_url", "image_url": {"url": url}}


def user_part(block: Json, where: str) -> Json | None:
    """A user content block as a chat content part; None for what is dropped."""
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block.get("text", "")}
    if kind == "image":
        return image_part(block, where)
    if kind == "document":
        source = block.get("source") or {}
        if source.get("type") == "text":
            return {"type": "text", "text": str(source.get("data", ""))}
        raise InvalidRequest(
            "Only plain-text documents can be sent to this model.", param=f"{where}.source"
        )
    if kind in ("thinking", "redacted_thinking"):
        return None
    raise InvalidRequest(
        f"Content blocks of type '{kind}' cannot be sent to this model.", param=where
    )


def tool_result_text(block: Json) -> str:
    parts = [b.get("text", "") for b in _blocks(block.get("content")) if b.get("type") == "text"]
    text = "\n".join(parts)
    return f"Error: {text}" if block.get("is_error") else text


def as_content(parts: list[Json]) -> str | list[Json]:
    """Plain text as a string (every backend takes that), else the parts."""
    if all(part["type"] == "text" for part in parts):
        return "\n\n".join(part["text"] for part in parts)
    return parts


def counted_part(block: Json, where: str) -> Json | None:
    """A user content block as counted: what cannot be translated counts as its JSON."""
    try:
        return user_part(block, where)
    except InvalidRequest:
        return {"type": "text", "text": orjson.dumps(block).decode()}


def user_messages(content: Any, where: str, *, counting: bool = False) -> list[Json]:
    """A user turn: its tool results as tool messages (first: they answer the calls before
    them), then the rest. Text beside tool results joins the last result, so the turn
    stays the agent's (Copilot bills turns a person wrote)."""
    results: list[Json] = []
    parts: list[Json] = []
    parts_marked = False
    as_part = counted_part if counting else user_part
    for n, block in enumerate(_blocks(content)):
        if block.get("type") == "tool_result":
            result = {
                "role": "tool",
                "tool_call_id": block.get("tool_use_id", ""),
                "content": tool_result_text(block),
            }
            results.append(hinted(result, marked(block) or any_marked(block.get("content"))))
        elif (part := as_part(block, f"{where}.content[{n}]")) is not None:
            parts.append(part)
            parts_marked = parts_marked or marked(block)
    if results and parts and all(part["type"] == "text" for part in parts):
        results[-1]["content"] += "\n\n" + str(as_content(parts))
        hinted(results[-1], parts_marked)
        parts = []
    user = [hinted({"role": "user", "content": as_content(parts)}, parts_marked)] if parts else []
    return results + user


def assistant_message(content: Any) -> Json:
    texts: list[str] = []
    calls: list[Json] = []
    for block in _blocks(content):
        if block.get("type") == "text":
            texts.append(block.get("text", ""))
        elif block.get("type") == "tool_use":
            arguments = orjson.dumps(block.get("input") or {}).decode()
            calls.append(tool_call(block.get("id", ""), block.get("name", ""), arguments))
    # Chat takes a null content only beside tool calls (an empty prefill is "").
    message: Json = {"role": "assistant", "content": "".join(texts) or (None if calls else "")}
    if calls:
        message["tool_calls"] = calls
    return hinted(message, any_marked(content))


def chat_messages(body: Json, *, counting: bool = False) -> list[Json]:
    """The chat messages: one system message first, holding `system` and the `system`
    messages Claude Code puts inside `messages` (left in place, one after the person's
    prompt would make the turn look like the agent's). `counting` (for count_tokens, which
    serves natively served models too) counts what cannot be translated instead of
    refusing it."""
    systems = [system_text(body.get("system"))]
    system_marked = any_marked(body.get("system"))
    out: list[Json] = []
    for n, message in enumerate(body["messages"]):
        role, content = message.get("role"), message.get("content")
        if role == "assistant":
            out.append(assistant_message(content))
        elif role == "user":
            out += user_messages(content, f"messages[{n}]", counting=counting)
        else:
            systems.append(system_text(content))
            system_marked = system_marked or any_marked(content)
    system = "\n\n".join(text for text in systems if text)
    if not system:
        return out
    return [hinted({"role": "system", "content": system}, system_marked), *out]


def is_custom_tool(tool: Json) -> bool:
    return tool.get("type") in (None, "custom") and "input_schema" in tool


def tool_as_chat(tool: Json) -> Json:
    parameters = tool.get("input_schema") or {}
    return function_tool(tool["name"], parameters, tool.get("description") or None)


def tool_choice(choice: Json, tools: list[Json]) -> Any:
    kind = choice.get("type")
    if kind == "any":
        return "required"
    if kind == "none":
        return "none"
    if kind == "tool":
        name = choice.get("name")
        if not any(tool["function"]["name"] == name for tool in tools):
            raise InvalidRequest(
                f"tool_choice names '{name}', which is not a tool this model can call.",
                param="tool_choice.name",
            )
        return named_tool_choice(name)
    return "auto"


def chat_request(body: Json) -> Json:
    """A Messages request as a Chat Completions request."""
    messages = chat_messages(body)
    if not messages:
        raise InvalidRequest(
            "messages: nothing in them can be sent to this model (no text, tool use or result).",
            param="messages",
        )
    out: Json = {"model": body["model"], "messages": messages, "max_tokens": body["max_tokens"]}
    for name in ("temperature", "top_p"):
        if body.get(name) is not None:
            out[name] = body[name]
    if body.get("stop_sequences"):
        out["stop"] = list(body["stop_sequences"])
    user = (body.get("metadata") or {}).get("user_id")
    if isinstance(user, str) and user:
        out["user"] = user
    custom = [tool for tool in body.get("tools") or [] if is_custom_tool(tool)]
    tools = [hinted(tool_as_chat(tool), marked(tool)) for tool in custom]
    if tools:
        out["tools"] = tools
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and tools:
        out["tool_choice"] = tool_choice(choice, tools)
        if choice.get("disable_parallel_tool_use"):
            out["parallel_tool_calls"] = False
    if body.get("stream"):
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    return out


def tool_input(arguments: Any) -> Any:
    """A tool call's JSON arguments as a tool_use input (an object)."""
    try:
        value = orjson.loads(arguments or "{}")
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def stop_reason(finish: str | None, called: bool) -> str:
    # Claude models on Copilot say `stop` with tool calls pending: a call means tool_use.
    return "tool_use" if called else STOP_REASONS.get(finish or "stop", "end_turn")


def message_from_choice(choice: Json, model: str, message_id: str, usage: Json) -> Json:
    """A chat answer's one choice (normalised: see `surfaces.choices`) as an Anthropic
    message: its text, then its tool calls."""
    message = choice["message"]
    text = message["content"] if isinstance(message.get("content"), str) else ""
    content: list[Json] = [{"type": "text", "text": text}] if text else []
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        content.append(
            {
                "type": "tool_use",
                "id": call.get("id") or f"toolu_{len(content)}",
                "name": function.get("name", ""),
                "input": tool_input(function.get("arguments")),
            }
        )
    called = any(block["type"] == "tool_use" for block in content)
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason(choice["finish_reason"], called),
        "stop_sequence": None,
        "usage": anthropic_from_chat(usage),
    }


class EventsFromChunks:
    """Chat chunks in, Anthropic stream events out (as dicts; framing is the surface's).

    `start()`, then `feed(chunk)` per chunk, then `finish_events(usage)`. Blocks are opened
    as their first piece arrives and closed when another begins: text, then each tool call.
    The chunks' choices are read as one answer (see `surfaces.choices`), which also knows
    what was generated, to count usage by.
    """

    def __init__(self, message_id: str, model: str, input_tokens: int) -> None:
        self.message_id = message_id
        self.model = model
        self.input_tokens = input_tokens
        self.choices = StreamChoices(single=True, model=model)
        self.index = -1  # the open block's index
        self.open_key: Any = None  # what the open block holds: "text" or a tool call's number
        self.blocks: dict[Any, int] = {}
        self.called = False

    def start(self) -> list[Json]:
        message: Json = {
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": self.input_tokens, "output_tokens": 0},
        }
        return [{"type": "message_start", "message": message}, {"type": "ping"}]

    def _open(self, key: Any, block: Json) -> list[Json]:
        events = self._close()
        self.index += 1
        self.open_key = key
        self.blocks[key] = self.index
        return [
            *events,
            {"type": "content_block_start", "index": self.index, "content_block": block},
        ]

    def _close(self) -> list[Json]:
        if self.open_key is None:
            return []
        self.open_key = None
        return [{"type": "content_block_stop", "index": self.index}]

    def feed(self, chunk: Json) -> list[Json]:
        events: list[Json] = []
        for choice in self.choices.read(chunk):
            delta = choice["delta"]
            text = delta.get("content")
            if isinstance(text, str) and text:
                if self.open_key != "text":
                    events += self._open("text", {"type": "text", "text": ""})
                delta_event = {"type": "text_delta", "text": text}
                events.append(
                    {"type": "content_block_delta", "index": self.index, "delta": delta_event}
                )
            for call in delta.get("tool_calls") or []:
                events += self._tool_call(call)
        return events

    def _tool_call(self, call: Json) -> list[Json]:
        events: list[Json] = []
        number = call["index"]  # ours: from 0, across the upstream's choices
        function = call.get("function") or {}
        if number not in self.blocks:
            self.called = True
            name = function.get("name", "")
            block = {"type": "tool_use", "id": call.get("id") or "", "name": name, "input": {}}
            events += self._open(number, block)
        if arguments := function.get("arguments"):
            delta = {"type": "input_json_delta", "partial_json": arguments}
            events.append(
                {"type": "content_block_delta", "index": self.blocks[number], "delta": delta}
            )
        return events

    def finish_events(self, usage: Json) -> list[Json]:
        finish = next((c["finish_reason"] for c in self.choices.closing()), None)
        delta = {"stop_reason": stop_reason(finish, self.called), "stop_sequence": None}
        return [
            *self._close(),
            {"type": "message_delta", "delta": delta, "usage": anthropic_from_chat(usage)},
            {"type": "message_stop"},
        ]
