"""The benchmark's upstream: a tiny OpenAI-compatible HTTP/1.1 server on a raw asyncio Protocol.

Fixed, spec-valid answers (the gateway checks every answer) to `GET /models`,
`POST /chat/completions` (JSON, or SSE when the body asks for a stream), `POST /responses`,
`POST /messages` and `POST /embeddings`, on keep-alive connections; tens of thousands of
requests a second on one core, so it is never what a figure measures. Streams send
`--chunks` content chunks `--interval-ms` apart (all at once when 0).

    PYTHONPATH=scripts python -m benchlib.stub --port 9901 [--chunks 10] [--interval-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

MODEL = "gpt-4o"
EMBEDDING_DIMENSIONS = 1536
TEXT = "Hello there, gateways are fast."


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


MODELS = dumps(
    {
        "object": "list",
        "data": [
            {"id": MODEL, "object": "model", "created": 1, "owned_by": "bench"},
            {"id": "text-embedding-3-small", "object": "model", "created": 1, "owned_by": "bench"},
        ],
    }
)
CHAT = dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": TEXT, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 250, "completion_tokens": 7, "total_tokens": 257},
    }
)
RESPONSE = dumps(
    {
        "id": "resp_bench",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": MODEL,
        "output": [
            {
                "id": "msg_bench",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "output_text", "text": TEXT, "annotations": [], "logprobs": []}
                ],
            }
        ],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": False,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": 250,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 7,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 257,
        },
        "metadata": {},
    }
)
MESSAGE = dumps(
    {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "text", "text": TEXT}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 250, "output_tokens": 7},
    }
)


def chunk(delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> bytes:
    event: dict[str, Any] = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    if usage is not None:
        event = {**event, "choices": [], "usage": usage}
    return b"data: " + dumps(event) + b"\n\n"


def stream_events(chunks: int, usage: bool) -> list[bytes]:
    """A chat stream: the role, `chunks` content chunks, the finish, [usage], [DONE]."""
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": f"word{index} "}) for index in range(chunks)]
    events.append(chunk({}, "stop"))
    if usage:
        counts = {"prompt_tokens": 250, "completion_tokens": chunks, "total_tokens": 250 + chunks}
        events.append(chunk({}, usage=counts))
    events.append(b"data: [DONE]\n\n")
    return events


def embeddings(count: int) -> bytes:
    vector = [round(0.001 * (i % 997), 3) for i in range(EMBEDDING_DIMENSIONS)]
    return dumps(
        {
            "object": "list",
            "data": [
                {"object": "embedding", "index": i, "embedding": vector} for i in range(count)
            ],
            "model": "text-embedding-3-small",
            "usage": {"prompt_tokens": count, "total_tokens": count},
        }
    )


def reply(body: bytes, status: bytes = b"200 OK") -> bytes:
    head = b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % (status, len(body)) + body


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


SSE_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
)
SSE_END = b"0\r\n\r\n"
NOT_FOUND = reply(
    dumps({"error": {"message": "not found", "type": "invalid_request_error"}}), b"404 Not Found"
)


def content_length(head: bytes) -> int:
    start = head.find(b"\r\ncontent-length:")
    if start < 0:
        return 0
    end = head.find(b"\r\n", start + 2)
    return int(head[start + 17 : end if end >= 0 else None])


class Answers:
    """Every reply, encoded once."""

    def __init__(self, chunks: int) -> None:
        self.models = reply(MODELS)
        self.chat = reply(CHAT)
        self.response = reply(RESPONSE)
        self.message = reply(MESSAGE)
        self.streams = {usage: stream_events(chunks, usage) for usage in (False, True)}
        self.embeddings: dict[int, bytes] = {}

    def embeddings_for(self, body: bytes) -> bytes:
        inputs = json.loads(body).get("input")
        count = len(inputs) if isinstance(inputs, list) and inputs else 1
        if count not in self.embeddings:
            self.embeddings[count] = reply(embeddings(count))
        return self.embeddings[count]


class StubProtocol(asyncio.Protocol):
    def __init__(self, answers: Answers, interval: float) -> None:
        self.answers = answers
        self.interval = interval
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.streaming = False  # requests wait while a paced stream is being sent
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self.serve_buffered()

    def serve_buffered(self) -> None:
        while not self.streaming:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            length = content_length(head)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.answer(head.split(b"\r\n", 1)[0], body)

    def answer(self, request_line: bytes, body: bytes) -> None:
        assert self.transport is not None
        path = request_line.split(b" ")[1].split(b"?")[0] if b" " in request_line else b""
        write = self.transport.write
        if path.endswith(b"/models"):
            write(self.answers.models)
        elif path.endswith(b"/chat/completions"):
            if b'"stream":true' in body or b'"stream": true' in body:
                usage = b'"include_usage":true' in body or b'"include_usage": true' in body
                self.stream(self.answers.streams[usage])
            else:
                write(self.answers.chat)
        elif path.endswith(b"/responses"):
            write(self.answers.response)
        elif path.endswith(b"/messages"):
            write(self.answers.message)
        elif path.endswith(b"/embeddings"):
            write(self.answers.embeddings_for(body))
        else:
            write(NOT_FOUND)

    def stream(self, events: list[bytes]) -> None:
        assert self.transport is not None
        if self.interval <= 0:
            self.transport.write(SSE_HEAD + b"".join(chunked(e) for e in events) + SSE_END)
            return
        self.streaming = True
        self.transport.write(SSE_HEAD + chunked(events[0]))
        loop = asyncio.get_running_loop()

        def send(index: int) -> None:
            if self.closed or self.transport is None:
                return
            if index < len(events):
                self.transport.write(chunked(events[index]))
                loop.call_later(self.interval, send, index + 1)
                return
            self.transport.write(SSE_END)
            self.streaming = False
            self.serve_buffered()

        loop.call_later(self.interval, send, 1)


async def serve(port: int, chunks: int, interval_ms: float) -> None:
    answers = Answers(chunks)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: StubProtocol(answers, interval_ms / 1000),
        "127.0.0.1",
        port,
        backlog=4096,
    )
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--chunks", type=int, default=10, help="content chunks per stream")
    parser.add_argument("--interval-ms", type=float, default=0, help="pause between chunks")
    arguments = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(arguments.port, arguments.chunks, arguments.interval_ms))
    else:
        uvloop.run(serve(arguments.port, arguments.chunks, arguments.interval_ms))


if __name__ == "__main__":
    main()
