"""Upstream choices as OpenAI's, whatever shape Copilot gave them.

Copilot (Claude models especially) splits one answer across choices: text in choice 0,
tool calls in choice 1; numbers tool calls from 1; and finishes with `stop` while tool
calls are pending. Asked for one choice, a client gets one: choice 0, tool calls numbered
from 0, and `tool_calls` as the finish reason whenever it called a tool.
"""

from __future__ import annotations

from ...upstreams.base import Json

DELTA_FIELDS = ("role", "content", "tool_calls", "refusal", "function_call")


def finish_reason(reason: str | None, called_tools: bool) -> str | None:
    return "tool_calls" if called_tools and reason == "stop" else reason


def merged_answer_choices(choices: list[Json], single: bool) -> list[Json]:
    """A non-streamed answer's choices; merged into one when one was asked for."""
    cleaned = []
    for index, choice in enumerate(choices):
        message = dict(choice.get("message") or {})
        message.setdefault("role", "assistant")
        message.setdefault("content", None)
        message.setdefault("refusal", None)
        cleaned.append(
            {
                "index": choice.get("index", index),
                "message": message,
                "logprobs": choice.get("logprobs"),
                "finish_reason": choice.get("finish_reason") or "stop",
            }
        )
    if single and len(cleaned) > 1:
        cleaned = [merge(cleaned)]
    for choice in cleaned:
        called = bool(choice["message"].get("tool_calls"))
        choice["finish_reason"] = finish_reason(choice["finish_reason"], called)
    return cleaned


def merge(choices: list[Json]) -> Json:
    texts = [c["message"]["content"] for c in choices if isinstance(c["message"]["content"], str)]
    calls = [call for c in choices for call in c["message"].get("tool_calls") or []]
    message = {**choices[0]["message"], "content": "".join(texts) if texts else None}
    if calls:
        message["tool_calls"] = calls
    reasons = [c["finish_reason"] for c in choices if c["finish_reason"] != "stop"]
    return {**choices[0], "index": 0, "message": message, "finish_reason": (reasons or ["stop"])[0]}


class StreamChoices:
    """Normalises the choices of a stream's chunks, one chunk at a time."""

    def __init__(self, single: bool) -> None:
        self.single = single
        self.call_numbers: dict[int, dict[int, int]] = {}  # choice -> upstream index -> ours
        self.pending_finish: str | None = None

    def normalise(self, choice: Json) -> Json | None:
        """The choice to send, or None when nothing of it is left to send yet."""
        upstream_delta = choice.get("delta") or {}
        index = 0 if self.single else choice.get("index", 0)
        delta: Json = {key: upstream_delta[key] for key in DELTA_FIELDS if key in upstream_delta}
        numbers = self.call_numbers.setdefault(index, {})
        if delta.get("tool_calls"):
            delta["tool_calls"] = [
                {**call, "index": numbers.setdefault(call.get("index", 0), len(numbers))}
                for call in delta["tool_calls"]
            ]
        out: Json = {
            "index": index,
            "delta": delta,
            "logprobs": choice.get("logprobs"),
            "finish_reason": None,
        }
        reason = finish_reason(choice.get("finish_reason"), bool(numbers))
        if self.single and reason:
            # Several upstream choices may each finish: the client hears one finish, at the end.
            self.pending_finish = (
                reason if reason != "stop" or not self.pending_finish else self.pending_finish
            )
            return out if delta else None
        out["finish_reason"] = reason
        return out

    def closing(self) -> list[Json]:
        """The held-back finish of a single-choice stream, if any."""
        if not (self.single and self.pending_finish):
            return []
        reason = finish_reason(self.pending_finish, bool(self.call_numbers.get(0)))
        return [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": reason}]
