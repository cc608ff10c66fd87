"""What the bench sends: the request bodies, the headers of each surface, and running a set
of loads in interleaved rounds.

Interleaving (each round runs every load once before the next round starts) spreads the
machine's other work over every target alike, so their ratios hold where absolute figures
drift; medians over the rounds are reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from .figures import Measured, WrkRun, median_run
from .servers import KEY, Server
from .wrk import Load, wrk

JSON = {"Content-Type": "application/json"}
GATEWAY_HEADERS = {**JSON, "Authorization": f"Bearer {KEY}"}
ANTHROPIC_HEADERS = {**JSON, "x-api-key": KEY, "anthropic-version": "2023-06-01"}

GEMINI_HEADERS = {**JSON, "x-goog-api-key": KEY}

FILLER = "lorem ipsum dolor sit amet " * 36  # ~1 KB
QUESTION = "Tell me about gateways and how fast they are"
EMBEDDING_INPUTS = 256


def chat_body(size: int, stream: bool = False) -> bytes:
    """A chat request of about `size` bytes: a conversation of 1 KB messages."""
    messages = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": FILLER}
        for i in range(max(1, size // 1024))
    ]
    messages.append({"role": "user", "content": QUESTION})
    body: dict[str, Any] = {"model": "gpt-4o", "messages": messages}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


# Chat's 1 KB request in Gemini's words: the same turns, translated to chat and back.
GEMINI_BODY = json.dumps(
    {
        "contents": [
            {"role": "user", "parts": [{"text": FILLER}]},
            {"role": "user", "parts": [{"text": QUESTION}]},
        ]
    }
).encode()
GEMINI_STREAM_BODY = json.dumps(
    {"contents": [{"role": "user", "parts": [{"text": QUESTION}]}]}
).encode()
RESPONSES_BODY = json.dumps({"model": "gpt-4o", "input": FILLER}).encode()
# Stored responses (the API's default) are written before the answer: this row shows the cost.
UNSTORED_RESPONSES_BODY = json.dumps({"model": "gpt-4o", "input": FILLER, "store": False}).encode()
MESSAGES_BODY = json.dumps(
    {"model": "gpt-4o", "max_tokens": 256, "messages": [{"role": "user", "content": FILLER}]}
).encode()


def embeddings_body(inputs: int = EMBEDDING_INPUTS) -> bytes:
    texts = [f"input number {i}" for i in range(inputs)]
    return json.dumps({"model": "text-embedding-3-small", "input": texts}).encode()


EMBEDDINGS_BODY = embeddings_body()


def direct(server: Server, path: str, body: bytes) -> Load:
    """Straight at the stub (no pid: the stub's CPU is not what is measured)."""
    return Load(server.url + path, JSON, body)


def through(
    server: Server, path: str, body: bytes, headers: Mapping[str, str] = GATEWAY_HEADERS
) -> Load:
    """Through a gateway (or the floor) under `/v1`, its CPU time read around each run."""
    return Load(server.url + "/v1" + path, dict(headers), body, server.pid)


def measure_rounds(
    loads: Mapping[str, Load],
    connections: Sequence[int],
    rounds: int,
    seconds: float,
    beside: Mapping[str, Callable[[], AbstractContextManager[object]]] | None = None,
) -> tuple[Measured, ...]:
    """Each load at each connection count, interleaved, `rounds` times; the medians. A load
    named in `beside` runs inside its context (what else goes on meanwhile)."""
    runs: dict[tuple[str, int], list[WrkRun]] = {}
    for _ in range(rounds):
        for count in connections:
            for name, load in loads.items():
                with (beside or {}).get(name, nullcontext)():
                    runs.setdefault((name, count), []).append(wrk(load, count, seconds))
    return tuple(Measured(name, count, median_run(value)) for (name, count), value in runs.items())


def warm(loads: Mapping[str, Load]) -> None:
    """A first request compiles and caches things (the model catalogue): not measured."""
    for load in loads.values():
        if load.pid is not None:
            wrk(load, 8, 1)
