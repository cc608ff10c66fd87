"""JSON bodies that are expensive rather than large: nested deep, or holding a great many
values. Refused where the body is parsed, on every surface, never a 500."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import orjson
import pytest

from servers import gateway_app, gateway_settings, running

AUTH = {"Authorization": "Bearer sk-test-key", "Content-Type": "application/json"}
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
DEPTH_LIMIT = 64  # the default
VALUES_LIMIT = 100_000  # the default


def nested(depth: int) -> object:
    value: object = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize("depth", [DEPTH_LIMIT + 1, 256, 1024])
def test_a_body_nested_past_the_limit_is_400_naming_it(client: httpx.Client, depth: int) -> None:
    raw = b"[" * depth + b"]" * depth
    response = client.post("/v1/chat/completions", content=raw, headers=AUTH)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "json_too_deep"
    assert f"at most {DEPTH_LIMIT} levels" in error["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v1/chat/completions",
            {
                **CHAT,
                "tools": [
                    {"type": "function", "function": {"name": "f", "parameters": nested(300)}}
                ],
            },
        ),
        (
            "/v1/chat/completions",
            {
                **CHAT,
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "s", "schema": nested(250)},
                },
            },
        ),
        ("/v1/completions", {"model": "gpt-4o", "prompt": "hi", "logit_bias": nested(200)}),
        ("/v1/embeddings", {"model": "text-embedding-3-small", "input": nested(200)}),
    ],
)
def test_deep_json_anywhere_on_any_surface_is_400(
    client: httpx.Client, path: str, body: dict
) -> None:
    # The standard library: orjson itself will not write more than 255 levels.
    import json

    response = client.post(path, content=json.dumps(body).encode(), headers=AUTH)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "json_too_deep"


def test_a_body_nested_within_the_limit_is_served(client: httpx.Client) -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": nested(40)}}
    response = client.post("/v1/chat/completions", json={**CHAT, "tools": [tool]})
    assert response.status_code == 200, response.text


def tiny_messages(count: int) -> bytes:
    return orjson.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}] * count})


def test_a_body_with_too_many_values_is_400_naming_the_limit(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", content=tiny_messages(40_000), headers=AUTH)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "json_too_large"
    assert f"at most {VALUES_LIMIT}" in error["message"]


# What stalls other clients is the event loop's CPU spent on one body, so that is what is
# measured (the serving thread's CPU time, which a loaded machine hardly changes, unlike the
# wall time a concurrent request waits), against parsing the same body once in this process.
# Within the limits: about 10 parses' worth (validated, its prompt counted); a million tiny
# messages: about a third of one parse (refused from its bytes; parsed, it cost 5 parses).
SERVED_PARSES = 30
REFUSED_PARSES = 1


def serving_cpu_seconds(url: str) -> float:
    """CPU seconds so far of the thread serving url (`servers.running` names it)."""
    port = url.rsplit(":", 1)[1]
    thread = next(t for t in threading.enumerate() if t.name == f"server on port {port}")
    stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # after the command name: state is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def parse_seconds(raw: bytes) -> float:
    """The CPU seconds of the quickest of three parses of raw in this thread."""
    quickest = float("inf")
    for _ in range(3):
        started = time.thread_time()
        orjson.loads(raw)
        quickest = min(quickest, time.thread_time() - started)
    return quickest


def serving_cost(url: str, raw: bytes) -> tuple[httpx.Response, float]:
    """The answer to raw, and the serving thread's CPU seconds spent on it."""
    before = serving_cpu_seconds(url)
    response = httpx.post(f"{url}/v1/chat/completions", content=raw, headers=AUTH, timeout=120)
    return response, serving_cpu_seconds(url) - before


def test_the_costliest_bodies_cost_the_event_loop_little(emulator_url: str) -> None:
    with running(gateway_app(gateway_settings(emulator_url))) as url:
        # Just within the JSON limits (3 values a message, 2 around them): parsed, validated
        # and its prompt counted, which is over the model's limit (3 tokens a message).
        raw = tiny_messages(33_332)
        answer, spent = serving_cost(url, raw)
        assert answer.json()["error"]["code"] == "context_length_exceeded"
        assert spent <= SERVED_PARSES * parse_seconds(raw)
        # A million tiny messages (27 MiB, within the body limit): refused, and cheaply.
        raw = tiny_messages(1_000_000)
        answer, spent = serving_cost(url, raw)
        assert answer.json()["error"]["code"] == "json_too_large"
        assert spent <= REFUSED_PARSES * parse_seconds(raw)
