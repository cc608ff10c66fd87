"""The Responses API's shapes, as Copilot answers on `/responses`: the request read as a
chat for the generator, the response object (led by a reasoning item whose
`encrypted_content` a later turn must hand back unchanged), and the events that stream it,
numbered from 0 and ending with `response.completed` (no `[DONE]`)."""

from __future__ import annotations

import time
from typing import Any

from . import counting, generate, ids, tools, usage
from .content import text_of

Json = dict[str, Any]
ENCRYPTED_PREFIX = "enc_emulated_"


def as_messages(items: Any) -> list[Json]:
    """Input items as chat messages: messages, and function calls and their outputs (the
    other items, reasoning among them, say nothing the generator reads)."""
    if isinstance(items, str):
        return [{"role": "user", "content": items}]
    messages = []
    for item in items if isinstance(items, list) else []:
        kind = item.get("type", "message") if isinstance(item, dict) else None
        if kind == "message":
            messages.append({"role": item.get("role"), "content": text_of(item.get("content"))})
        elif kind == "function_call":
            arguments = str(item.get("arguments", ""))
            messages.append(tools.calling(item.get("call_id"), item.get("name"), arguments))
        elif kind == "function_call_output":
            messages.append(tools.result(item.get("call_id"), text_of(item.get("output"))))
    return messages


def as_chat_tools(body: Json) -> tuple[list[Json], Any]:
    """The function tools offered, and chat's `tool_choice` for Responses' own: `none`,
    `auto`, `required`, a named function, or `allowed_tools` (the tools listed there, by its
    mode). A hosted tool forced (`{"type": "web_search"}`) calls no function."""
    offered = [
        tools.chat_tool(t.get("name"), t.get("description"), t.get("parameters"))
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") == "function"
    ]
    choice = body.get("tool_choice")
    if not isinstance(choice, dict):
        return offered, choice
    if choice.get("type") == "function":
        return offered, tools.named_choice(choice.get("name"))
    if choice.get("type") == "allowed_tools":
        listed = choice.get("tools")
        names = (
            [t.get("name") for t in listed if isinstance(t, dict)]
            if isinstance(listed, list)
            else []
        )
        allowed = {name for name in names if isinstance(name, str)}
        mode = choice.get("mode") if choice.get("mode") in ("auto", "required") else "auto"
        return [t for t in offered if tools.name_of(t) in allowed], mode
    return offered, "none"


def as_chat_body(body: Json) -> Json:
    """What the chat generator needs to know of a Responses request."""
    offered, choice = as_chat_tools(body)
    shape = (body.get("text") or {}).get("format") or {}
    response_format = (
        {"type": "json_schema", "json_schema": {"schema": shape.get("schema")}}
        if shape.get("type") == "json_schema"
        else shape
    )
    return {
        "model": body["model"],
        "messages": as_messages(body.get("input")),
        "tools": offered,
        "tool_choice": choice,
        "response_format": response_format,
        "max_tokens": body.get("max_output_tokens"),
    }


def bad_reasoning(items: Any) -> bool:
    """A reasoning item handed back without the encrypted content this server issued."""
    return isinstance(items, list) and any(
        isinstance(item, dict)
        and item.get("type") == "reasoning"
        and not str(item.get("encrypted_content") or "").startswith(ENCRYPTED_PREFIX)
        for item in items
    )


def response_of(body: Json, chat: Json, response_id: str) -> Json:
    choice = generate.choices(chat)[0]
    seed = ids.digest(body)
    output: list[Json] = [
        {
            "id": "rs_" + seed[:24],
            "type": "reasoning",
            "summary": [],
            "encrypted_content": ENCRYPTED_PREFIX + seed[24:48],
        }
    ]
    if choice.content is not None:
        output.append(
            {
                "id": "msg_" + seed[:24],
                "type": "message",
                "role": "assistant",
                "status": "incomplete" if choice.finish_reason == "length" else "completed",
                "content": [
                    {
                        "type": "output_text",
                        "text": choice.content,
                        "annotations": [],
                        "logprobs": [],
                    }
                ],
            }
        )
    for call in choice.tool_calls:
        output.append(
            {
                "id": "fc_" + call["id"][5:],
                "type": "function_call",
                "status": "completed",
                "call_id": call["id"],
                "name": call["function"]["name"],
                "arguments": call["function"]["arguments"],
            }
        )
    prompt = counting.prompt_tokens(chat["messages"], body["model"])
    completion = generate.completion_tokens([choice], body["model"])
    incomplete = choice.finish_reason == "length"
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": "incomplete" if incomplete else "completed",
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": body["model"],
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": None,
        "reasoning": {"effort": "medium", "summary": None},
        "store": False,
        "temperature": body.get("temperature", 1.0),
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": usage.responses(prompt, completion),
        "metadata": body.get("metadata") or {},
    }


def events_of(response: Json, bill: Json | None = None) -> list[Json]:
    """The event sequence that streams `response`, each item's content in pieces; the
    terminal event carries Copilot's `copilot_usage` beside `response`."""
    opening = {**response, "status": "in_progress", "output": []}
    del opening["usage"]  # known only at the end
    events: list[Json] = [
        {"type": "response.created", "response": opening},
        {"type": "response.in_progress", "response": opening},
    ]
    for index, item in enumerate(response["output"]):
        added = {**item, "status": "in_progress"}
        if item["type"] == "message":
            added["content"] = []
        if item["type"] == "function_call":
            added["arguments"] = ""
        events.append({"type": "response.output_item.added", "output_index": index, "item": added})
        where = {"item_id": item["id"], "output_index": index}
        if item["type"] == "message":
            part = item["content"][0]
            empty = {**part, "text": ""}
            events.append(
                {"type": "response.content_part.added", **where, "content_index": 0, "part": empty}
            )
            for piece in generate.pieces(part["text"]):
                events.append(
                    {
                        "type": "response.output_text.delta",
                        **where,
                        "content_index": 0,
                        "delta": piece,
                        "logprobs": [],
                    }
                )
            events += [
                {
                    "type": "response.output_text.done",
                    **where,
                    "content_index": 0,
                    "text": part["text"],
                    "logprobs": [],
                },
                {"type": "response.content_part.done", **where, "content_index": 0, "part": part},
            ]
        if item["type"] == "function_call":
            arguments = item["arguments"]
            half = len(arguments) // 2
            events += [
                {"type": "response.function_call_arguments.delta", **where, "delta": part}
                for part in (arguments[:half], arguments[half:])
            ]
            events.append(
                {
                    "type": "response.function_call_arguments.done",
                    **where,
                    "name": item["name"],
                    "arguments": arguments,
                }
            )
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    kind = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
    terminal: Json = {"type": kind, "response": response}
    if bill is not None:
        terminal["copilot_usage"] = bill
    events.append(terminal)
    return [{**event, "sequence_number": number} for number, event in enumerate(events)]


def is_piece(event: Json) -> bool:
    """Whether the event carries a piece of generated output (it is paced)."""
    return str(event["type"]).endswith(".delta")
