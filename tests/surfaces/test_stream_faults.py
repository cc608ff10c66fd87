"""Streams that stall upstream, and clients that leave mid-stream (over SSE, and over a
WebSocket mid-turn)."""

from __future__ import annotations

import logging

import httpx
import orjson
import pytest
from websockets.sync.client import connect

from access_lines import ACCESS_LOGGER, capture_access
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
            # The lines' iterator is kept: one dropped mid-stream is closed at once, and
            # httpx closes the connection with it (the client would leave before the test
            # saw the stream held, which the gateway may then have let go of already).
            lines = response.iter_lines()
            events = 0
            while events < 2:
                events += next(lines).startswith("data: ")
            gate.wait_until_held()
            assert emulator.state.open_streams == 1
        # The client is gone: the gateway must let go of the upstream stream, which the
        # emulator's server sees (it cancels the stream held at the gate, never opened).
        assert until(lambda: gate.left == 1)


@pytest.mark.parametrize(
    ("model", "last_event"),
    [("gpt-4o", b"[DONE]"), ("gpt-5.3-codex", b"response.completed")],
    ids=["translated", "native"],
)
def test_a_client_leaving_mid_websocket_turn_frees_the_upstream_stream(
    caplog: pytest.LogCaptureFixture, model: str, last_event: bytes
) -> None:
    capture_access(caplog)
    emulator = CopilotEmulator()
    create = {"type": "response.create", "model": model, "input": "one two three four"}
    # The upstream stream waits at the gate before its last event, as over SSE above.
    with (
        gated(emulator.app, before=last_event) as (emulator_url, gate),
        serving(gateway_settings(emulator_url)) as url,
    ):
        with connect(
            url.replace("http://", "ws://") + "/v1/responses", additional_headers=AUTH
        ) as socket:
            socket.send(orjson.dumps(create).decode())
            assert orjson.loads(socket.recv())["type"] == "response.created"
            gate.wait_until_held()
            assert emulator.state.open_streams == 1
        # The client closed its connection mid-turn: the gateway lets go of the upstream.
        assert until(lambda: gate.left == 1)
        assert until(lambda: turn_lines(caplog))
    (line,) = turn_lines(caplog)
    assert line.status == 200 and line.error == "client_disconnected"  # type: ignore[attr-defined]


def turn_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The access lines of WebSocket turns (each a `GET /v1/responses` of its own)."""
    return [
        line
        for line in caplog.records
        if line.name == ACCESS_LOGGER and vars(line).get("operation") == "createResponse"
    ]
