"""Streams are relayed as they arrive: nothing in the gateway buffers them."""

from __future__ import annotations

import httpx
import orjson

from copilot_gateway.emulator import CopilotEmulator
from servers import gated, gateway_settings, serving

PROMPT = "one two three four five six"


def content_of(line: str) -> str:
    chunk = orjson.loads(line.removeprefix("data: "))
    return "".join(choice["delta"].get("content") or "" for choice in chunk["choices"])


def test_chunks_reach_the_client_as_the_upstream_sends_them() -> None:
    emulator = CopilotEmulator()
    body = {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
    # The upstream's stream waits at the gate before its chunk of the last word: what the
    # client reads before the gate opens, the gateway relayed before the upstream was done.
    with (
        gated(emulator.app, before=b"six") as (emulator_url, gate),
        serving(gateway_settings(emulator_url)) as url,
        httpx.stream(
            "POST",
            f"{url}/v1/chat/completions",
            json=body,
            headers={"Authorization": "Bearer sk-test-key"},
            timeout=30,  # a buffering gateway sends nothing: the read times out, not hangs
        ) as response,
    ):
        lines = (line for line in response.iter_lines() if line.startswith("data: {"))
        before = ""
        while "five" not in before:
            before += content_of(next(lines))
        assert gate.held == 1  # the upstream is still waiting to send the rest
        gate.open()
        after = "".join(content_of(line) for line in lines)
    assert "six" not in before and after.strip() == "six"
