"""What `store: true` keeps of a chat completion: the answer as the client got it (a stream
folded back into one), its metadata, and the request's messages, each with an id.

The gateway keeps them itself (see `state.completions`): the upstream never hears of
`store` or `metadata`, as for the Responses API.
"""

from __future__ import annotations

from typing import Any

from ...call import Call
from ...content import content_text
from ...state.completions import StoredCompletion
from ...upstreams.base import Json
from .envelope import envelope

GATEWAY_OWNED = ("store", "metadata")
LISTED_PARTS = ("text", "image_url")  # what a stored message's `content_parts` may hold
KEPT_FIELDS = ("name", "tool_calls", "tool_call_id")


def upstream_body(body: Json) -> Json:
    return {key: value for key, value in body.items() if key not in GATEWAY_OWNED}


def stored_message(completion_id: str, index: int, message: Json) -> Json:
    """A request message as the API lists it: its id, its text as `content`, and its parts
    (text and images) as `content_parts` when it was sent as parts."""
    content = message.get("content")
    parts = content if isinstance(content, list) else None
    stored: Json = {
        "id": f"{completion_id}-{index}",
        "role": message["role"],
        "content": content_text(parts) if parts is not None else content,
        "refusal": message.get("refusal"),
        "content_parts": (
            [part for part in parts if part.get("type") in LISTED_PARTS]
            if parts is not None
            else None
        ),
    }
    stored.update({key: message[key] for key in KEPT_FIELDS if key in message})
    return stored


async def keep(call: Call, body: Json, completion: Json) -> None:
    """Store the completion for the call's key, if the request asked (committed on return)."""
    if not body.get("store"):
        return
    kept = {**completion, "metadata": body.get("metadata") or {}}
    messages = [
        stored_message(completion["id"], index, message)
        for index, message in enumerate(body["messages"])
    ]
    requested = call.body["model"]  # as the client named it (an alias, say)
    await call.gateway.completions.put(call.owner, StoredCompletion(kept, messages, requested))


class FoldedStream:
    """The choices of a stream, as the client got them, folded back into a completion's
    (their pieces joined once, at the end)."""

    def __init__(self) -> None:
        self.finish: dict[int, str] = {}  # per choice
        self.texts: dict[tuple[int, str], list[str]] = {}  # per choice and field
        self.calls: dict[int, dict[int, Json]] = {}  # per choice and call: id, name, pieces

    def read(self, choices: list[Json]) -> None:
        for choice in choices:
            index = choice["index"]
            self.finish.setdefault(index, "stop")
            delta = choice.get("delta") or {}
            for field in ("content", "refusal"):
                if isinstance(delta.get(field), str):
                    self.texts.setdefault((index, field), []).append(delta[field])
            for call in delta.get("tool_calls") or []:
                self._read_call(self.calls.setdefault(index, {}), call)
            if choice.get("finish_reason"):
                self.finish[index] = choice["finish_reason"]

    @staticmethod
    def _read_call(calls: dict[int, Json], delta: Json) -> None:
        call = calls.setdefault(delta["index"], {"id": "", "name": "", "arguments": []})
        function = delta.get("function") or {}
        for field, given in (("id", delta.get("id")), ("name", function.get("name"))):
            if given:  # said once, or repeated whole (as `StreamChoices` reads it too)
                call[field] = given
        call["arguments"].append(function.get("arguments") or "")

    def _text(self, index: int, field: str) -> str | None:
        pieces = self.texts.get((index, field))
        return None if pieces is None else "".join(pieces)

    def completion(self, completion_id: str, created: int, model: str, usage: Json) -> Json:
        choices = []
        for index in sorted(self.finish):
            message: dict[str, Any] = {
                "role": "assistant",
                "content": self._text(index, "content"),
                "refusal": self._text(index, "refusal"),
            }
            if calls := self.calls.get(index):
                message["tool_calls"] = [
                    {
                        "id": call["id"],
                        "type": "function",
                        "function": {
                            "name": call["name"],
                            "arguments": "".join(call["arguments"]),
                        },
                    }
                    for _, call in sorted(calls.items())
                ]
            choices.append(
                {
                    "index": index,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": self.finish[index],
                }
            )
        return envelope("chat.completion", completion_id, created, model, choices, usage=usage)
