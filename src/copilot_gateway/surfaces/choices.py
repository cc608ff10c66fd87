"""Upstream chat answers as one answer, whatever shape Copilot gave them: the one rule every
translation reads them through (OpenAI's chat and legacy completions, the Responses API,
Anthropic's Messages), streamed or not.

Copilot (Claude models especially) splits one answer across choices: text in choice 0,
tool calls in choice 1; numbers tool calls from 1; and finishes with `stop` while tool
calls are pending. Asked for one choice, a client gets one: choice 0, tool calls numbered
from 0 in the order they appear, and `tool_calls` as the finish reason whenever it called a
tool. What the answer used is what the upstream reported, else counted from what it wrote.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import tokens
from ..upstreams.base import Json
from ..usage import reported_or_counted

DELTA_FIELDS = ("role", "content", "tool_calls", "refusal", "function_call")


def finish_reason(reason: str | None, called_tools: bool) -> str | None:
    return "tool_calls" if called_tools and reason == "stop" else reason


def merged_answer_choices(choices: object, single: bool) -> list[Json]:
    """A non-streamed answer's choices; merged into one when one was asked for."""
    cleaned = []
    given = choices if isinstance(choices, list) else []
    for index, choice in enumerate(c for c in given if isinstance(c, dict)):
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


def the_choice(answer: Json) -> Json:
    """A non-streamed answer as the one choice a translation reads (an empty one if the
    upstream sent none)."""
    merged = merged_answer_choices(answer.get("choices"), single=True)
    return merged[0] if merged else merged_answer_choices([{}], single=True)[0]


def answer_usage(answer: Json, choices: list[Json], request: Json) -> Json:
    """A non-streamed answer's usage: as the upstream reported it, else counted from the
    chat `request` and its normalised `choices` (joined and counted only if need be)."""
    generated = (text for choice in choices for text in tokens.generated_texts(choice["message"]))
    model = answer.get("model") or request["model"]
    return reported_or_counted(
        answer.get("usage"), model, messages=request["messages"], generated=generated
    )


class StreamChoices:
    """One streamed answer, read chunk by chunk: its choices normalised, what the upstream
    said of it (its model, its usage), and what it generated, to count usage by if it says
    nothing."""

    def __init__(self, single: bool, model: str) -> None:
        self.single = single
        self.model = model  # the request's, until the upstream names its own
        self.reported: Json | None = None  # the usage the upstream reported, if it did
        # Per choice sent: (upstream choice, upstream index) of each tool call -> ours.
        self.call_numbers: dict[int, dict[tuple[int, int], int]] = {}
        self.pending_finish: str | None = None
        # What was generated, per choice and per tool call (a name, then argument pieces).
        self.content: dict[int, list[str]] = {}
        self.tool_calls: dict[tuple[int, int], list[str]] = {}

    def read(self, chunk: Json) -> list[Json]:
        """The chunk's choices to send; none for a chunk without any (Copilot's opening
        prompt-filter chunk, the usage chunk) or with nothing left to send yet."""
        if isinstance(chunk.get("usage"), dict):
            self.reported = chunk["usage"]
        self.model = chunk.get("model") or self.model
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            return []
        normalised = (self.normalise(c) for c in choices if isinstance(c, dict))
        return [choice for choice in normalised if choice]

    def normalise(self, choice: Json) -> Json | None:
        """The choice to send, or None when nothing of it is left to send yet."""
        upstream_delta = choice.get("delta") or {}
        upstream_index = choice.get("index", 0)
        index = 0 if self.single else upstream_index
        delta: Json = {key: upstream_delta[key] for key in DELTA_FIELDS if key in upstream_delta}
        numbers = self.call_numbers.setdefault(index, {})
        if delta.get("tool_calls"):
            delta["tool_calls"] = [
                {
                    **call,
                    "index": numbers.setdefault(
                        (upstream_index, call.get("index", 0)), len(numbers)
                    ),
                }
                for call in delta["tool_calls"]
            ]
        self.remember(index, delta)
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

    def remember(self, index: int, delta: Json) -> None:
        if isinstance(delta.get("content"), str):
            self.content.setdefault(index, []).append(delta["content"])
        for call in delta.get("tool_calls") or []:
            function = call.get("function") or {}
            parts = self.tool_calls.setdefault((index, call["index"]), [""])
            if function.get("name"):
                parts[0] = function["name"]
            parts.append(function.get("arguments") or "")

    def generated(self) -> Iterator[str]:
        """What was generated, whole per choice and call (pieces would tokenize differently);
        joined only if usage must be counted."""
        for parts in self.content.values():
            yield "".join(parts)
        for name, *arguments in self.tool_calls.values():
            yield name
            yield "".join(arguments)

    def usage(self, request: Json) -> Json:
        """The stream's usage so far: as the upstream reported it, else counted from the
        chat `request` and what was generated."""
        return reported_or_counted(
            self.reported, self.model, messages=request["messages"], generated=self.generated()
        )
