"""The other direction: a Chat Completions request for a model served only on `/responses`
(Copilot's `*-codex` family), sent there and answered back in chat's shapes (pure, but for
the stream adapter). The chat handler's own normalisation (ids, usage, choices) follows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from .... import usage
from ....content import content_text
from ....errors import InvalidRequest, UpstreamFailed
from ....upstreams.base import EventStream, Json
from ...chat_tools import tool_call
from ..endpoints import RESPONSES_TERMINAL_EVENTS
from .objects import as_chat_completion_parts


def part_as_input(part: Any) -> Json:
    if not isinstance(part, dict):
        return {"type": "input_text", "text": str(part)}
    if part.get("type") == "image_url":
        image = part.get("image_url") or {}
        return {
            "type": "input_image",
            "image_url": image.get("url"),
            "detail": image.get("detail", "auto"),
        }
    return {"type": "input_text", "text": str(part.get("text", ""))}


def input_of(messages: list[Json]) -> list[Json]:
    items: list[Json] = []
    for message in messages:
        role = message.get("role")
        if role == "tool":
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": message.get("tool_call_id", ""),
                    "output": content_text(message.get("content")),
                }
            )
            continue
        if role == "assistant":
            if text := content_text(message.get("content")):
                items.append({"type": "message", "role": "assistant", "content": text})
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                items.append(
                    {
                        "type": "function_call",
                        "call_id": call.get("id", ""),
                        "name": function.get("name", ""),
                        "arguments": function.get("arguments", ""),
                    }
                )
            continue
        content = message.get("content")
        if isinstance(content, list) and role == "user":
            content = [part_as_input(part) for part in content]
        else:
            content = content_text(content)
        items.append({"type": "message", "role": role, "content": content})
    return items


def refuse_untranslatable(chat: Json) -> None:
    """What /responses cannot do for a chat request is refused by name, never dropped."""
    refused = {
        "n": (chat.get("n") or 1) > 1,
        "stop": bool(chat.get("stop")),
        "logprobs": bool(chat.get("logprobs")),
        "logit_bias": bool(chat.get("logit_bias")),
        "audio": chat.get("audio") is not None,
        "presence_penalty": bool(chat.get("presence_penalty")),
        "frequency_penalty": bool(chat.get("frequency_penalty")),
    }
    for name, given in refused.items():
        if given:
            raise InvalidRequest(
                f"'{name}' is not supported for model '{chat['model']}', which is served "
                "only on the Responses API.",
                param=name,
                code="unsupported_parameter",
            )


def responses_request(chat: Json) -> Json:
    """A chat request as the Responses request the upstream takes (nothing stored there)."""
    refuse_untranslatable(chat)
    request: Json = {"model": chat["model"], "input": input_of(chat["messages"]), "store": False}
    for name in ("temperature", "top_p", "parallel_tool_calls", "metadata"):
        if chat.get(name) is not None:
            request[name] = chat[name]
    limit = chat.get("max_completion_tokens") or chat.get("max_tokens")
    if limit is not None:
        request["max_output_tokens"] = limit
    if chat.get("tools"):
        request["tools"] = [
            {
                "type": "function",
                "name": tool["function"]["name"],
                "description": tool["function"].get("description"),
                "parameters": tool["function"].get("parameters"),
                "strict": tool["function"].get("strict"),
            }
            for tool in chat["tools"]
            if tool.get("type") == "function"
        ]
    choice = chat.get("tool_choice")
    if isinstance(choice, dict):
        choice = {"type": "function", "name": (choice.get("function") or {}).get("name")}
    if choice is not None:
        request["tool_choice"] = choice
    response_format = chat.get("response_format") or {}
    if response_format.get("type") == "json_object":
        request["text"] = {"format": {"type": "json_object"}}
    elif response_format.get("type") == "json_schema":
        schema = response_format.get("json_schema") or {}
        request["text"] = {"format": {"type": "json_schema", **schema}}
    if chat.get("reasoning_effort"):
        request["reasoning"] = {"effort": chat["reasoning_effort"]}
    return request


def chat_answer(response: Json) -> Json:
    """A Response as an upstream chat answer (one choice)."""
    text, calls, reason = as_chat_completion_parts(response)
    message: Json = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = calls
    answer: Json = {
        "model": response.get("model"),
        "created": int(response.get("created_at") or 0) or None,
        "choices": [{"index": 0, "message": message, "finish_reason": reason}],
    }
    if isinstance(response.get("usage"), dict):
        answer["usage"] = usage.chat_from_responses(response["usage"])
    return answer


def chunk(delta: Json, finish_reason: str | None = None, **extra: Any) -> Json:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}], **extra}


async def chat_chunks(events: EventStream) -> AsyncIterator[Json]:
    """Responses stream events as chat chunks, until the response is done."""
    calls: dict[int, int] = {}  # output index -> tool call number
    try:
        async for event in events:
            kind = event.get("type")
            if kind == "response.output_text.delta":
                yield chunk({"content": event.get("delta", "")})
            elif (
                kind == "response.output_item.added"
                and event["item"].get("type") == "function_call"
            ):
                item = event["item"]
                calls[event["output_index"]] = len(calls)
                call = tool_call(item.get("call_id"), item.get("name"), item.get("arguments", ""))
                head = {"index": calls[event["output_index"]], **call}
                yield chunk({"tool_calls": [head]})
            elif kind == "response.function_call_arguments.delta":
                number = calls.get(event.get("output_index", -1), 0)
                arguments = {"index": number, "function": {"arguments": event.get("delta", "")}}
                yield chunk({"tool_calls": [arguments]})
            elif kind == "error":
                raise UpstreamFailed(f"The upstream failed mid-stream: {event.get('message')}")
            elif kind in RESPONSES_TERMINAL_EVENTS:
                response = event["response"]
                if kind == "response.failed":
                    message = (response.get("error") or {}).get("message", "response failed")
                    raise UpstreamFailed(f"The upstream failed mid-stream: {message}")
                _, _, reason = as_chat_completion_parts(response)
                reported = response.get("usage")
                extra = (
                    {"usage": usage.chat_from_responses(reported)}
                    if isinstance(reported, dict)
                    else {}
                )
                yield chunk({}, reason, model=response.get("model"), **extra)
                return
    finally:
        await events.aclose()
    raise UpstreamFailed("The upstream stream ended before the response was complete.")
