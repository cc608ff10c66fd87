"""The objects of the Responses API the gateway builds: a `Response` (its request's
settings echoed, as OpenAI does) and its output items (pure functions)."""

from __future__ import annotations

from typing import Any

from .... import usage
from ....ids import new_id, now
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
# Request settings a Response echoes beside ECHOED, once it has every field.
ECHOED_TOO = (
    "frequency_penalty",
    "max_tool_calls",
    "presence_penalty",
    "prompt_cache_key",
    "safety_identifier",
    "top_logprobs",
)
# Fields the real API (and Open Responses) puts on every Response, with its value when it
# has none to report; `usage` and `completed_at` stay null until the response is done.
EVERY_FIELD: dict[str, Any] = {
    "background": False,
    "completed_at": None,
    "frequency_penalty": 0.0,
    "max_tool_calls": None,
    "presence_penalty": 0.0,
    "prompt_cache_key": None,
    "safety_identifier": None,
    "service_tier": "default",
    "top_logprobs": 0,
    "usage": None,
}
DONE_STATUSES = ("completed", "incomplete", "failed", "cancelled")
INCOMPLETE_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}


def with_every_field(response: Json, request: Json | None = None) -> Json:
    """The one shape of every Response the gateway answers (native, translated, stored,
    streamed): each field the real API returns there, from the request when it set one, and
    every function tool with `strict` and `parameters`."""
    request = request or {}
    out = dict(response)
    for name, default in EVERY_FIELD.items():
        if out.get(name) is None:
            given = request.get(name) if name in ECHOED_TOO else None
            out[name] = default if given is None else given
    if out.get("completed_at") is None and out.get("status") in DONE_STATUSES:
        out["completed_at"] = now()
    if isinstance(out.get("tools"), list):
        out["tools"] = [echoed_tool(tool) for tool in out["tools"]]
    return out


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
    return with_every_field(response, request)


def echoed_tool(tool: Json) -> Json:
    """A function tool as a Response lists it (`strict` and `parameters` always there)."""
    if not isinstance(tool, dict) or tool.get("type") != "function":
        return tool
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
        "completed_at": now(),
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


def listed_part(part: Json) -> Json:
    """A content part as the API lists it back, with the values it defaults."""
    if part.get("type") == "output_text":
        return {"annotations": [], "logprobs": [], **part}
    if part.get("type") == "input_image" and part.get("detail") is None:
        return {**part, "detail": "auto"}
    return part


ID_PREFIXES = {"message": "msg_", "function_call": "fc_", "reasoning": "rs_"}


def as_sent_upstream(listed: list[Json], given: list[Json]) -> list[Json]:
    """Listed input items (`with_item_ids` of `given`) as the upstream gets them: a reasoning
    item without the id made up for its listing. Its id is the model's, bound to its
    encrypted content; a client with `store: false` may hand it back by the content alone."""
    return [
        {key: value for key, value in item.items() if key != "id"}
        if item["type"] == "reasoning" and not original.get("id")
        else item
        for item, original in zip(listed, given, strict=True)
    ]


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
            item["content"] = [listed_part(part) for part in content or []]
        if not item.get("id"):
            item["id"] = new_id(ID_PREFIXES.get(kind, "item_"))
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
