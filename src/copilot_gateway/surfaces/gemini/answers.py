"""Chat Completions answers as `GenerateContentResponse`s: each choice a candidate (its
text, its thoughts if asked for, its tool calls as `functionCall`s with their ids, chat's
`reasoning_opaque` as the `thoughtSignature`), the finish reason in Google's words, and
`usageMetadata` always."""

from __future__ import annotations

from typing import Any

from ...upstreams.base import Json
from ..anthropic.translate import tool_input

FINISH_BY_CHAT = {
    "stop": "STOP",
    "tool_calls": "STOP",  # Gemini finishes a turn of function calls with STOP
    "function_call": "STOP",
    "length": "MAX_TOKENS",
    "content_filter": "SAFETY",
}


def finish_reason(chat: str | None) -> str:
    return FINISH_BY_CHAT.get(chat or "stop", "OTHER")


def usage_metadata(usage: Json) -> Json:
    """Chat's usage in Google's words (every count there, zero included)."""
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    details = usage.get("completion_tokens_details") or {}
    thoughts = int(details.get("reasoning_tokens") or 0)
    cached = int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
    metadata: Json = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": completion - thoughts,
        "totalTokenCount": prompt + completion,
    }
    if thoughts:
        metadata["thoughtsTokenCount"] = thoughts
    if cached:
        metadata["cachedContentTokenCount"] = cached
    return metadata


def function_call_part(call: Json) -> Json:
    function = call.get("function") or {}
    call_part: Json = {
        "name": function.get("name") or "",
        "args": tool_input(function.get("arguments")),
    }
    if call.get("id"):
        call_part["id"] = call["id"]
    return {"functionCall": call_part}


def parts_of(message: Json, thoughts: bool) -> list[Json]:
    parts: list[Json] = []
    reasoning = message.get("reasoning_text")
    if thoughts and isinstance(reasoning, str) and reasoning:
        parts.append({"text": reasoning, "thought": True})
    if isinstance(message.get("content"), str) and message["content"]:
        parts.append({"text": message["content"]})
    parts.extend(function_call_part(call) for call in message.get("tool_calls") or [])
    signature = message.get("reasoning_opaque")
    if isinstance(signature, str) and signature:
        # Gemini signs the first function call of a turn, else a part of its answer: not a
        # thought, which clients (Gemini CLI) leave out of the history they send back.
        signed = next((part for part in parts if "functionCall" in part), None)
        signed = signed or next((part for part in parts if not part.get("thought")), None)
        if signed is None:
            signed = {"text": ""}
            parts.append(signed)
        signed["thoughtSignature"] = signature
    return parts or [{"text": ""}]


def candidate(index: int, parts: list[Json], reason: str | None) -> Json:
    out: Json = {"index": index, "content": {"role": "model", "parts": parts}}
    if reason is not None:
        out["finishReason"] = reason
    return out


def response(candidates: list[Json], usage: Json, model: str, response_id: str) -> Json:
    return {
        "candidates": candidates,
        "usageMetadata": usage_metadata(usage),
        "modelVersion": model,
        "responseId": response_id,
    }


def from_choices(choices: list[Any], thoughts: bool) -> list[Json]:
    """A non-streamed answer's normalised choices as candidates."""
    return [
        candidate(
            choice.get("index", n),
            parts_of(choice["message"], thoughts),
            finish_reason(choice.get("finish_reason")),
        )
        for n, choice in enumerate(choices)
    ]
