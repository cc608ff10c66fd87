"""The objects of the Responses API the gateway builds: a `Response` (its request's
settings echoed, as OpenAI does) and its output items (pure functions)."""

from __future__ import annotations

from typing import Any

from .... import usage
from ....ids import new_id
from ....upstreams.base import Json
from ...chat_tools import tool_call

# Request fields a Response echoes, with OpenAI's value when the request left them out.
ECHOED: dict[str, Any] = {
    "instructions": None,
    "max_output_tokens": None,
    "metadata": {},
    "parallel_tool_calls": True,
    "previous_response_id": None,
    "reasoning": None,
    "store": True,
    "temperature": 1.0,
    "tool_choice": "auto",
    "tools": [],
    "top_p": 1.0,
    "truncation": "disabled",
}
INCOMPLETE_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}


def response_object(request: Json, response_id: str, created_at: int, status: str) -> Json:
    """A Response with no output yet, echoing the request's settings."""
    response: Json = {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "model": request["model"],
        "output": [],
        "usage": None,
        "text": request.get("text") or {"format": {"type": "text"}},
    }
    for name, default in ECHOED.items():
        value = request.get(name)
        response[name] = default if value is None else value
    response["tools"] = [echoed_tool(tool) for tool in response["tools"]]
    if response["usage"] is None:
        del response["usage"]  # only a finished response has usage
    return response


def echoed_tool(tool: Json) -> Json:
    """A function tool as a Response lists it (`strict` and `parameters` always there)."""
    return {"strict": None, "parameters": None, **tool}


def message_item(text: str, status: str = "completed", item_id: str | None = None) -> Json:
    return {
        "id": item_id or new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": [text_part(text)],
    }


def text_part(text: str) -> Json:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def function_call_item(
    call_id: str, name: str, arguments: str, status: str = "completed", item_id: str | None = None
) -> Json:
    return {
        "id": item_id or new_id("fc_"),
        "type": "function_call",
        "status": status,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
    }


def finished(response: Json, output: list[Json], usage: Json, finish_reason: str | None) -> Json:
    """The response, done: its output, usage, and status from chat's finish reason."""
    reason = INCOMPLETE_REASONS.get(finish_reason or "")
    return {
        **response,
        "status": "incomplete" if reason else "completed",
        "incomplete_details": {"reason": reason} if reason else None,
        "output": output,
        "usage": usage,
    }


def response_from_chat(completion: Json, request: Json, response_id: str, created_at: int) -> Json:
    """A chat completion (normalised: one choice) as a finished Response."""
    choice = completion["choices"][0]
    message = choice["message"]
    output: list[Json] = []
    if message.get("content"):
        status = "incomplete" if choice["finish_reason"] == "length" else "completed"
        output.append(message_item(message["content"], status))
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        output.append(
            function_call_item(call["id"], function.get("name", ""), function.get("arguments", ""))
        )
    response = response_object(request, response_id, created_at, "in_progress")
    response["model"] = completion.get("model") or request["model"]
    counted = usage.responses_from_chat(completion["usage"])
    return finished(response, output, counted, choice["finish_reason"])


def output_text(response: Json) -> str:
    return "".join(
        part.get("text", "")
        for item in response.get("output") or []
        if item.get("type") == "message"
        for part in item.get("content") or []
        if part.get("type") == "output_text"
    )


def with_item_ids(items: list[Json]) -> list[Json]:
    """Input items as stored and listed: each with an id, messages with content parts
    (an assistant's as output text, complete), as the API lists them."""
    out = []
    for item in items:
        item = dict(item)
        kind = item.setdefault("type", "message")
        if kind == "message":
            content = item.get("content")
            if isinstance(content, str):
                part = "output_text" if item.get("role") == "assistant" else "input_text"
                content = [{"type": part, "text": content}]
            item["content"] = [
                {"annotations": [], "logprobs": [], **part}
                if part.get("type") == "output_text"
                else part
                for part in content or []
            ]
        if not item.get("id"):
            item["id"] = new_id({"message": "msg_", "function_call": "fc_"}.get(kind, "item_"))
        if kind in ("message", "function_call", "function_call_output"):
            item.setdefault("status", "completed")
        out.append(item)
    return out


def as_chat_completion_parts(response: Json) -> tuple[str | None, list[Json], str]:
    """A Response's text, tool calls (chat's shape) and chat finish reason."""
    calls = [
        tool_call(item["call_id"], item["name"], item.get("arguments", ""))
        for item in response.get("output") or []
        if item.get("type") == "function_call"
    ]
    text = output_text(response) or None
    details: Any = response.get("incomplete_details") or {}
    if response.get("status") == "incomplete":
        reason = "content_filter" if details.get("reason") == "content_filter" else "length"
    else:
        reason = "tool_calls" if calls else "stop"
    return text, calls, reason
