"""Streams are relayed as they arrive: nothing in the gateway buffers them."""

from __future__ import annotations

import time

import httpx

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig
from servers import gateway_settings, running, serving

INTERVAL_MS = 100


def test_chunks_reach_the_client_as_the_upstream_sends_them() -> None:
    emulator = CopilotEmulator(EmulatorConfig(token_interval_ms=INTERVAL_MS))
    body = {
        "model": "gpt-4o",
        "stream": True,
        "messages": [{"role": "user", "content": "one two three four five six"}],
    }
    arrivals = []
    with (
        running(emulator.app) as emulator_url,
        serving(gateway_settings(emulator_url)) as url,
        httpx.stream(
            "POST",
            f"{url}/v1/chat/completions",
            json=body,
            headers={"Authorization": "Bearer sk-test-key"},
            timeout=30,
        ) as response,
    ):
        for line in response.iter_lines():
            if line.startswith("data: "):
                arrivals.append(time.monotonic())
    # The emulator sleeps INTERVAL_MS before each of its ~15 content chunks: a buffering
    # gateway would deliver them all at once at the end; a relaying one spreads them out.
    content_events = len(arrivals) - 3  # role chunk, finish chunk, [DONE]
    assert content_events >= 10
    assert arrivals[-1] - arrivals[1] >= (content_events - 1) * INTERVAL_MS / 1000
    assert arrivals[2] - arrivals[1] < arrivals[-1] - arrivals[1] - INTERVAL_MS / 1000
