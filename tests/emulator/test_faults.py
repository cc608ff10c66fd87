"""Injected faults are served alike by every endpoint: an answer fault replaces the next
answer of any endpoint, a stream fault breaks the next stream of any endpoint, each in its
own API's words."""

from __future__ import annotations

import httpx
import orjson
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault

from .conftest import OpenStream
from .streaming_calls import CALLS, EVERY_STREAM, StreamingCall, data_of

pytestmark = pytest.mark.anyio
KEPT = 4  # frames sent before a stream fault breaks the stream


@EVERY_STREAM
async def test_a_cut_sends_its_frames_then_drops_the_connection(
    emulator: CopilotEmulator, open_stream: OpenStream, call: StreamingCall
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=KEPT, stream_end="cut"))
    async with open_stream(call) as stream:
        assert await stream.status() == 200
        assert len(await stream.rest()) == KEPT
        assert isinstance(await stream.outcome(), ConnectionAbortedError)
    assert emulator.state.open_streams == 0 and not emulator.state.faults


@EVERY_STREAM
async def test_an_eof_sends_its_frames_then_closes_without_the_end(
    emulator: CopilotEmulator, open_stream: OpenStream, call: StreamingCall
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=KEPT, stream_end="eof"))
    async with open_stream(call) as stream:
        frames = await stream.rest()
        assert await stream.outcome() is None
    assert len(frames) == KEPT and not frames[-1].startswith(call.last)


async def test_a_chat_stream_failing_midway_sends_copilots_error_chunk(
    emulator: CopilotEmulator, open_stream: OpenStream
) -> None:
    frames = await failing_midway(emulator, open_stream, CALLS["chat"])
    assert frames[-1].startswith(b"data: ")
    error = data_of(frames[-1])
    assert error["choices"] is None and error["error"]["code"] == "server_error"


async def test_a_responses_stream_failing_midway_sends_an_error_event_in_sequence(
    emulator: CopilotEmulator, open_stream: OpenStream
) -> None:
    frames = await failing_midway(emulator, open_stream, CALLS["responses"])
    assert frames[-1].startswith(b"event: error\n")
    error = data_of(frames[-1])
    assert error["error"]["code"] == "server_error"
    assert [data_of(f)["sequence_number"] for f in frames] == list(range(KEPT + 1))


async def test_a_messages_stream_failing_midway_sends_anthropics_error_event(
    emulator: CopilotEmulator, open_stream: OpenStream
) -> None:
    frames = await failing_midway(emulator, open_stream, CALLS["messages"])
    assert frames[-1].startswith(b"event: error\n")
    assert data_of(frames[-1])["error"]["type"] == "overloaded_error"


async def failing_midway(
    emulator: CopilotEmulator, open_stream: OpenStream, call: StreamingCall
) -> list[bytes]:
    """The frames of a stream broken by an "error" fault: the kept ones, then its error."""
    emulator.state.faults.append(Fault(cut_after_chunks=KEPT, stream_end="error"))
    async with open_stream(call) as stream:
        frames = await stream.rest()
        assert await stream.outcome() is None
    assert len(frames) == KEPT + 1
    return frames


@EVERY_STREAM
async def test_a_stall_says_nothing_more_and_stays_open_until_its_client_leaves(
    emulator: CopilotEmulator, open_stream: OpenStream, call: StreamingCall
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=KEPT, stream_end="stall"))
    async with open_stream(call) as stream:
        for _ in range(KEPT):
            assert await stream.frame()
        assert emulator.state.open_streams == 1 and not stream.task.done()
        stream.leave()
        assert await stream.outcome() is None
        assert await stream.frame() is None
    assert emulator.state.open_streams == 0


@EVERY_STREAM
async def test_a_stream_fault_adds_its_headers_to_the_stream(
    emulator: CopilotEmulator, copilot: httpx.AsyncClient, call: StreamingCall
) -> None:
    emulator.state.faults.append(
        Fault(cut_after_chunks=KEPT, stream_end="eof", headers={"x-f": "1"})
    )
    response = await copilot.post(call.path, json=call.body, headers=call.headers)
    assert response.status_code == 200 and response.headers["x-f"] == "1"


@EVERY_STREAM
async def test_a_stream_fault_waits_for_the_next_stream(
    emulator: CopilotEmulator, copilot: httpx.AsyncClient, call: StreamingCall
) -> None:
    """Calls that do not stream are answered as usual; the next stream is broken."""
    emulator.state.faults.append(Fault(cut_after_chunks=KEPT, stream_end="eof"))
    whole = await copilot.post(call.path, json={**call.body, "stream": False}, headers=call.headers)
    assert whole.status_code == 200 and emulator.state.faults
    broken = await copilot.post(call.path, json=call.body, headers=call.headers)
    assert not broken.text.rstrip().split("\n\n")[-1].startswith(call.last.decode())
    assert not emulator.state.faults


ANSWERS = {
    "models": ("GET", "/models", None, {}),
    "embeddings": ("POST", "/embeddings", {"model": "text-embedding-3-small", "input": ["x"]}, {}),
    **{name: ("POST", call.path, call.body, call.headers) for name, call in CALLS.items()},
}


@pytest.mark.parametrize(("method", "path", "body", "headers"), ANSWERS.values(), ids=list(ANSWERS))
async def test_an_answer_fault_replaces_the_next_answer_of_any_endpoint(
    emulator: CopilotEmulator,
    copilot: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict | None,
    headers: dict[str, str],
) -> None:
    fault = Fault(status=503, body='{"error":{"message":"busy"}}', headers={"retry-after": "3"})
    emulator.state.faults.append(fault)
    content = orjson.dumps(body) if body is not None else None
    failed = await copilot.request(method, path, content=content, headers=headers)
    assert (failed.status_code, failed.text) == (503, fault.body)
    assert failed.headers["retry-after"] == "3"
    again = await copilot.request(method, path, content=content, headers=headers)
    assert again.status_code == 200
