"""One streamed call of each of the emulator's streaming endpoints, and how each one's
stream ends when all is well and when it fails midway."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
import pytest

PROMPT = "one two three four five six seven eight"


@dataclass(frozen=True)
class StreamingCall:
    path: str
    body: dict
    last: bytes  # how the stream's last frame starts when it is complete
    headers: dict[str, str] = field(default_factory=dict)


CALLS = {
    "chat": StreamingCall(
        "/chat/completions",
        {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": PROMPT}]},
        b"data: [DONE]",
    ),
    "responses": StreamingCall(
        "/responses",
        {"model": "gpt-5-mini", "stream": True, "input": PROMPT},
        b"event: response.completed\n",
    ),
    "messages": StreamingCall(
        "/v1/messages",
        {
            "model": "claude-sonnet-4",
            "max_tokens": 100,
            "stream": True,
            "messages": [{"role": "user", "content": PROMPT}],
        },
        b"event: message_stop\n",
        {"anthropic-version": "2023-06-01"},
    ),
}
EVERY_STREAM = pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))


def data_of(frame: bytes) -> dict:
    """The JSON of one SSE frame (its `data:` line)."""
    line = next(line for line in frame.split(b"\n") if line.startswith(b"data: "))
    return orjson.loads(line.removeprefix(b"data: "))
