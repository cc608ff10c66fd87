"""A chat stream as the Responses API streams: named events, `sequence_number` from 0,
`response.created` and `response.in_progress` first, each output item added, its content
streamed and done in order, and `response.completed` (or `response.incomplete`) last.

`ChatToResponseEvents` is pure (chat chunks in, event dicts out); `ResponseEvents` frames and
checks events for one call, and says how a failed stream ends (the spec's `error` event).
"""

from __future__ import annotations

from .... import usage
from ....call import Call
from ....errors import GatewayError
from ....ids import new_id
from ....upstreams.base import Json
from ...choices import StreamChoices
from .objects import finished, function_call_item, message_item, text_part


class ResponseEvents:
    """Numbers, checks and frames one stream's events: as server-sent events here; a
    subclass frames them for another transport (see `openai.responses_socket`)."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.sequence = 0

    def event(self, body: Json) -> bytes:
        body = {**body, "sequence_number": self.sequence}
        self.sequence += 1
        checked = self.call.conforming("ResponseStreamEvent", body)
        return self.frame(checked, body["type"])

    def frame(self, body: Json, name: str) -> bytes:
        return self.call.surface.sse_event(body, name)

    def error_event(self, error: GatewayError) -> bytes:
        """How a Responses stream that failed midway ends: the spec's `error` event."""
        body = {
            "type": "error",
            "code": error.code,
            "message": error.message,
            "param": error.param,
            "sequence_number": self.sequence,
        }
        self.sequence += 1
        return self.frame(body, "error")


class ChatToResponseEvents:
    """Turns chat chunks into Responses events, one chunk at a time."""

    def __init__(self, request: Json, chat_request: Json, response: Json) -> None:
        self.request = request
        self.chat_request = chat_request
        self.response = response  # the in-progress Response (id, echoed settings)
        self.choices = StreamChoices(single=True, model=request["model"])
        self.output: list[Json] = []  # finished items, in output order
        self.text: Json | None = None  # the message item being streamed, if any
        self.calls: dict[int, Json] = {}  # tool call number -> its function_call item
        self.open_call: int | None = None
        self.chat_usage: Json = {}  # in chat's terms, for the record: set by `closing`
        self.finish_reason: str | None = None

    def opening(self) -> list[Json]:
        return [
            {"type": "response.created", "response": self.response},
            {"type": "response.in_progress", "response": self.response},
        ]

    def chunk(self, chunk: Json) -> list[Json]:
        events: list[Json] = []
        for choice in self.choices.read(chunk):
            delta = choice["delta"]
            if isinstance(delta.get("content"), str) and delta["content"]:
                events += self.text_delta(delta["content"])
            for call in delta.get("tool_calls") or []:
                events += self.call_delta(call)
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
        for closing in self.choices.closing():
            self.finish_reason = closing["finish_reason"]
        return events

    def text_delta(self, text: str) -> list[Json]:
        events = self.close_call()
        if self.text is None:
            self.text = message_item("", status="in_progress")
            index = len(self.output)  # an open item is always the next one
            added = {**self.text, "content": []}  # copies: the open item changes on
            events += [
                {"type": "response.output_item.added", "output_index": index, "item": added},
                {
                    "type": "response.content_part.added",
                    "item_id": self.text["id"],
                    "output_index": index,
                    "content_index": 0,
                    "part": text_part(""),
                },
            ]
        self.text["content"][0]["text"] += text
        events.append(
            {
                "type": "response.output_text.delta",
                "item_id": self.text["id"],
                "output_index": len(self.output),
                "content_index": 0,
                "delta": text,
                "logprobs": [],
            }
        )
        return events

    def close_text(self) -> list[Json]:
        if self.text is None:
            return []
        item, index = self.text, len(self.output)
        part = {**item["content"][0]}
        status = "incomplete" if self.finish_reason == "length" else "completed"
        done = {**item, "status": status, "content": [part]}
        self.output.append(done)
        self.text = None
        return [
            {
                "type": "response.output_text.done",
                "item_id": item["id"],
                "output_index": index,
                "content_index": 0,
                "text": part["text"],
                "logprobs": [],
            },
            {
                "type": "response.content_part.done",
                "item_id": item["id"],
                "output_index": index,
                "content_index": 0,
                "part": part,
            },
            {"type": "response.output_item.done", "output_index": index, "item": done},
        ]

    def call_delta(self, call: Json) -> list[Json]:
        number = call.get("index", 0)
        function = call.get("function") or {}
        events: list[Json] = []
        if number not in self.calls:
            events += self.close_text() + self.close_call()
            item = function_call_item(
                call.get("id") or new_id("call_"), function.get("name") or "", "", "in_progress"
            )
            self.calls[number] = item
            self.open_call = number
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": len(self.output),
                    "item": {**item},
                }
            )
        item = self.calls[number]
        if function.get("arguments"):
            item["arguments"] += function["arguments"]
            events.append(
                {
                    "type": "response.function_call_arguments.delta",
                    "item_id": item["id"],
                    "output_index": len(self.output),
                    "delta": function["arguments"],
                }
            )
        return events

    def close_call(self) -> list[Json]:
        if self.open_call is None:
            return []
        item = {**self.calls[self.open_call], "status": "completed"}
        index = len(self.output)
        self.output.append(item)
        self.open_call = None
        return [
            {
                "type": "response.function_call_arguments.done",
                "item_id": item["id"],
                "output_index": index,
                "name": item["name"],
                "arguments": item["arguments"],
            },
            {"type": "response.output_item.done", "output_index": index, "item": item},
        ]

    def closing(self) -> list[Json]:
        """The last events: open items done, then the finished response."""
        events = self.close_text() + self.close_call()
        self.chat_usage = self.choices.usage(self.chat_request)
        self.response = finished(
            {**self.response, "model": self.choices.model},
            self.output,
            usage.responses_from_chat(self.chat_usage),
            self.finish_reason,
        )
        kind = (
            "response.incomplete"
            if self.response["status"] == "incomplete"
            else "response.completed"
        )
        events.append({"type": kind, "response": self.response})
        return events
