"""The Messages API's shapes, as Copilot answers on `/v1/messages`: the request read as a
chat for the generator, the message (content blocks, stop reason, usage; a thinking block
with a signature first when thinking is on, as Claude's are) and the named events that
stream it."""

from __future__ import annotations

from typing import Any

import orjson

from . import counting, generate, ids, tools, usage
from .content import parts, text_of
from .tools import last_user_text


def as_messages(messages: Any) -> list[dict]:
    """Messages as chat's: `tool_use` blocks as the assistant's `tool_calls`, a user turn's
    `tool_result` blocks as `tool` messages (what else that turn says is read as part of its
    last result: the turn answers a call, it is not a person's)."""
    chat: list[dict] = []
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        role, content = message.get("role"), message.get("content")
        blocks, text = parts(content), text_of(content)
        uses = [b for b in blocks if b.get("type") == "tool_use"]
        results = [b for b in blocks if b.get("type") == "tool_result"]
        if uses:
            for use in uses:
                arguments = orjson.dumps(use.get("input", {})).decode()
                chat.append(tools.calling(use.get("id"), use.get("name"), arguments, text or None))
                text = ""  # the turn's text goes with its first call
        elif results:
            for number, block in enumerate(results, 1):
                said = text_of(block.get("content"))
                if number == len(results) and text:
                    said = f"{said} {text}".strip()
                chat.append(tools.result(block.get("tool_use_id"), said))
        else:
            chat.append({"role": role, "content": text})
    return chat


def as_chat_tools(body: dict) -> tuple[list[dict], Any]:
    """The custom tools offered (server tools have no `input_schema`: the emulator runs
    none), and chat's `tool_choice` for Anthropic's own: `auto`, `any`, `none`, or a tool."""
    offered = [
        tools.chat_tool(t["name"], t.get("description"), t.get("input_schema") or {})
        for t in body.get("tools") or []
        if isinstance(t, dict) and "name" in t and "input_schema" in t
    ]
    choice = body.get("tool_choice")
    choice = choice if isinstance(choice, dict) else {}
    if choice.get("type") == "tool":
        return offered, tools.named_choice(choice.get("name"))
    return offered, {"any": "required", "none": "none"}.get(str(choice.get("type")), "auto")


def chat_like(body: dict) -> dict:
    """Just enough of a chat request for `generate`: texts, tools, tool choice, limit."""
    offered, choice = as_chat_tools(body)
    return {
        "model": body["model"],
        "messages": as_messages(body.get("messages")),
        "tools": offered,
        "tool_choice": choice,
        "max_tokens": body.get("max_tokens"),
    }


# What Claude adds to a prompt that offers tools, its tool-use system prompt, by the kind of
# `tool_choice` (Anthropic's pricing page, Claude 4 models).
TOOL_USE_PROMPT = {"auto": 346, "none": 346, "any": 313, "tool": 313}


def input_tokens(body: dict) -> int:
    """A Messages request's input as Claude counts it: its turns, its system prompt, and its
    tools' definitions with the tool-use system prompt they bring."""
    model = str(body["model"])
    counted = counting.prompt_tokens(chat_like(body)["messages"], model)
    system = text_of(body.get("system"))
    offered = body.get("tools")
    texts = [system] if system else []
    if isinstance(offered, list) and offered:
        texts.append(orjson.dumps(offered).decode())
        choice = body.get("tool_choice")
        kind = choice.get("type") if isinstance(choice, dict) else "auto"
        counted += TOOL_USE_PROMPT.get(str(kind), TOOL_USE_PROMPT["auto"])
    return counted + (counting.count(texts, model) if texts else 0)


def thinks(body: dict) -> bool:
    return (body.get("thinking") or {}).get("type") in ("enabled", "adaptive")


def content_blocks(body: dict, generated: list[generate.Choice]) -> list[dict]:
    blocks: list[dict] = []
    if thinks(body):
        thought = "Thinking about: " + last_user_text(chat_like(body)["messages"])[:80]
        signature = ids.of_text("", thought, 64)
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
    return {
        "id": ids.of("msg_emu", body, 24),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": blocks,
        "stop_reason": stop_reason(generated),
        "stop_sequence": None,
        "usage": usage.messages(input_tokens(body), counting.count(texts, body["model"])),
    }


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
    """The named events of a streamed answer; Copilot's bill (the answer's `copilot_usage`)
    rides on `message_delta`, beside `usage`."""
    bill = answer.get("copilot_usage")
    answer = {key: value for key, value in answer.items() if key != "copilot_usage"}
    counted = answer["usage"]
    opening = {
        **answer,
        "content": [],
        "stop_reason": None,
        "usage": {**counted, "output_tokens": 1},
    }
    events: list[dict] = [{"type": "message_start", "message": opening}, {"type": "ping"}]
    for index, block in enumerate(answer["content"]):
        events += block_events(index, block)
    delta = {"stop_reason": answer["stop_reason"], "stop_sequence": None}
    message_delta: dict[str, Any] = {
        "type": "message_delta",
        "delta": delta,
        "usage": {"output_tokens": counted["output_tokens"]},
    }
    if bill is not None:
        message_delta["copilot_usage"] = bill
    events += [message_delta, {"type": "message_stop"}]
    return events


def is_piece(event: dict) -> bool:
    """Whether the event carries a piece of generated output (it is paced)."""
    return event["type"] == "content_block_delta"
