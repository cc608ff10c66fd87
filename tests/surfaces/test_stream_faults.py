"""Streams that stall upstream, and clients that leave mid-stream."""

from __future__ import annotations

import httpx
import orjson

from copilot_gateway.emulator import CopilotEmulator, Fault
from servers import gated, gateway_settings, serving, until

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
    emulator = CopilotEmulator()
    # The upstream stream waits at the gate before its end: only the gateway letting go of
    # it can end it while the test runs.
    with (
        gated(emulator.app) as (emulator_url, gate),
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
            gate.wait_until_held()
            assert emulator.state.open_streams == 1
        # The client is gone: the gateway must let go of the upstream stream, which the
        # emulator's server sees (it cancels the stream held at the gate, never opened).
        assert until(lambda: gate.left == 1)
