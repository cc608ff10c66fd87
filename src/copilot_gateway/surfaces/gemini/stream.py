"""A Chat Completions stream as `GenerateContentResponse` chunks: text (and thoughts, if
asked for) as it comes; function calls whole, in the last chunk, as Gemini sends them; that
chunk with each candidate's finish reason and the whole usage. Every chunk carries
`usageMetadata` (the prompt's count until the last), as Google's do.

Framed two ways: server-sent events (`alt=sse`), or one JSON array of the chunks (the REST
default), whose failure is its last element (see `surface.array_error_element`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

import orjson

from ...upstreams.base import Json
from ..choices import StreamChoices
from .answers import candidate, finish_reason, function_call_part, response


class ChunksFromChat:
    def __init__(
        self, model: str, response_id: str, prompt_tokens: int, *, thoughts: bool, single: bool
    ) -> None:
        self.choices = StreamChoices(single, model)
        self.response_id = response_id
        self.prompt = {"prompt_tokens": prompt_tokens}
        self.thoughts = thoughts
        self.single = single
        self.calls: dict[int, dict[int, Json]] = {}  # per candidate, by call number
        self.reasons: dict[int, str] = {}
        self.signatures: dict[int, str] = {}

    def chunk(self, candidates: list[Json], usage: Json) -> Json:
        return response(candidates, usage, self.choices.model, self.response_id)

    def feed(self, upstream: Json) -> list[Json]:
        parts: dict[int, list[Json]] = {}
        for raw in upstream.get("choices") or []:
            if not isinstance(raw, dict):
                continue
            index = 0 if self.single else int(raw.get("index") or 0)
            delta = raw.get("delta") or {}
            thought = delta.get("reasoning_text")
            if self.thoughts and isinstance(thought, str) and thought:
                parts.setdefault(index, []).append({"text": thought, "thought": True})
            if isinstance(delta.get("reasoning_opaque"), str) and delta["reasoning_opaque"]:
                self.signatures[index] = delta["reasoning_opaque"]
        for choice in self.choices.read(upstream):
            index = choice["index"]
            delta = choice["delta"]
            if isinstance(delta.get("content"), str) and delta["content"]:
                parts.setdefault(index, []).append({"text": delta["content"]})
            for call in delta.get("tool_calls") or []:
                self.remember_call(index, call)
            if choice["finish_reason"]:
                self.reasons[index] = choice["finish_reason"]
        return (
            [
                self.chunk(
                    [candidate(index, texts, None) for index, texts in sorted(parts.items())],
                    self.prompt,
                )
            ]
            if parts
            else []
        )

    def remember_call(self, index: int, call: Json) -> None:
        whole = self.calls.setdefault(index, {}).setdefault(
            call["index"],
            {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
        )
        function = call.get("function") or {}
        whole["id"] = call.get("id") or whole["id"]
        whole["function"]["name"] = function.get("name") or whole["function"]["name"]
        whole["function"]["arguments"] += function.get("arguments") or ""

    def finish(self, usage: Json) -> Json:
        """The last chunk: function calls, finish reasons, the whole usage."""
        for choice in self.choices.closing():
            self.reasons[choice["index"]] = choice["finish_reason"]
        indexes = sorted({0, *self.calls, *self.reasons}) if not self.single else [0]
        candidates = []
        for index in indexes:
            calls = [
                function_call_part(call) for _, call in sorted(self.calls.get(index, {}).items())
            ]
            parts = calls or [{"text": ""}]
            if index in self.signatures:
                parts[0]["thoughtSignature"] = self.signatures[index]
            candidates.append(candidate(index, parts, finish_reason(self.reasons.get(index))))
        return self.chunk(candidates, usage)


async def framed(chunks: AsyncIterator[Json], sse: bool) -> AsyncGenerator[bytes]:
    """Each chunk as a server-sent event, or as an element of the JSON array."""
    async for chunk in chunks:
        yield b"data: " + orjson.dumps(chunk) + b"\r\n\r\n" if sse else orjson.dumps(chunk)


async def as_json_array(elements: AsyncIterator[bytes]) -> AsyncGenerator[bytes]:
    """The stream as one JSON array, element by element as they come."""
    opening = b"["
    async for element in elements:
        yield opening + element
        opening = b",\r\n"
    yield (b"[" if opening == b"[" else b"") + b"]"
