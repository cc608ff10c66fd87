"""Streams that stall upstream, and clients that leave mid-stream."""

from __future__ import annotations

import time

import httpx
import orjson

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig, Fault
from servers import gateway_settings, running, serving

AUTH = {"Authorization": "Bearer sk-test-key"}
STREAM = {
    "model": "gpt-4o",
    "stream": True,
    "messages": [{"role": "user", "content": "one two three four five"}],
}


def test_a_stalled_upstream_stream_ends_with_an_error_event(
    emulator: CopilotEmulator, emulator_url: str
) -> None:
    with serving(gateway_settings(emulator_url, stream_idle_timeout=0.5)) as url:
        emulator.state.faults.append(Fault(cut_after_chunks=4, stream_end="stall"))
        text = httpx.post(f"{url}/v1/chat/completions", json=STREAM, headers=AUTH, timeout=30).text
    events = [line[6:] for line in text.split("\n\n") if line.startswith("data: ")]
    error = orjson.loads(events[-1])["error"]
    assert error["code"] == "upstream_timeout" and "stalled" in error["message"]
    assert "[DONE]" not in events


def test_a_client_leaving_mid_stream_cancels_the_upstream_stream() -> None:
    emulator = CopilotEmulator(EmulatorConfig(token_interval_ms=200))
    with (
        running(emulator.app) as emulator_url,
        serving(gateway_settings(emulator_url)) as url,
    ):
        with httpx.stream(
            "POST", f"{url}/v1/chat/completions", json=STREAM, headers=AUTH, timeout=30
        ) as response:
            events = 0
            for line in response.iter_lines():
                events += line.startswith("data: ")
                if events == 2:
                    break
            assert emulator.state.open_streams == 1
        # The client is gone: the gateway must let go of the upstream stream at once.
        deadline = time.monotonic() + 1.0
        while emulator.state.open_streams and time.monotonic() < deadline:
            time.sleep(0.02)
        assert emulator.state.open_streams == 0
