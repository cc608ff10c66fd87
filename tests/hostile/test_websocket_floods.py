"""Many messages and many connections: a flood of `response.create` on one connection runs
one response at a time and meets the message rate; idle connections are closed and free
their place; past `GATEWAY_MAX_CONNECTIONS` a handshake is answered 503."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
import websockets
from hostile_wire import serving
from websocket_wire import AUTH, create, ws_url
from websockets.sync.client import connect
from websockets.sync.connection import Connection

from copilot_gateway.emulator import CopilotEmulator
from servers import gated, gateway_settings, until

FLOOD = 30
PER_MINUTE = 10


def test_a_flood_of_response_create_runs_one_response_within_the_message_rate() -> None:
    emulator = CopilotEmulator()
    settings = {"websocket_messages_per_minute": PER_MINUTE}
    with (
        gated(emulator.app) as (emulator_url, gate),
        serving(gateway_settings(emulator_url, **settings)) as (url, _),
        connect(ws_url(url), additional_headers=AUTH) as socket,
    ):
        socket.send(create(text="The first"))
        gate.wait_until_held()  # its upstream stream open, at its end
        for _ in range(FLOOD):
            socket.send(create(text="Another"))
        errors: list[dict[str, Any]] = []
        while len(errors) < FLOOD:
            event = json.loads(socket.recv())
            assert event["type"] != "response.completed"
            if event["type"] == "error":
                errors.append(event)
        # Not one more upstream stream opened by the flood.
        assert emulator.state.open_streams == 1 and gate.held == 1
        gate.open()
        last = json.loads(socket.recv())
        while last["type"] != "response.completed":
            last = json.loads(socket.recv())
    codes = [error["error"]["code"] for error in errors]
    assert codes == ["response_in_progress"] * (PER_MINUTE - 1) + ["rate_limit_exceeded"] * (
        FLOOD - PER_MINUTE + 1
    )
    assert {error["status"] for error in errors[PER_MINUTE - 1 :]} == {429}
    assert last["response"]["output"][-1]["content"][0]["text"].endswith("You said: The first")


@contextmanager
def sockets(url: str, count: int) -> Iterator[list[Connection]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(connect(ws_url(url), additional_headers=AUTH)) for _ in range(count)
        ]


def connects(url: str) -> bool:
    try:
        with connect(ws_url(url), additional_headers=AUTH):
            return True
    except websockets.InvalidStatus:
        return False


@pytest.mark.own_servers
def test_past_the_connection_cap_a_handshake_is_503_until_one_closes(emulator_url: str) -> None:
    cap = 3
    settings = gateway_settings(emulator_url, max_connections=cap)
    with serving(settings) as (url, _), sockets(url, cap - 1):
        with (
            connect(ws_url(url), additional_headers=AUTH),  # the last place taken
            pytest.raises(websockets.InvalidStatus) as refused,
        ):
            connect(ws_url(url), additional_headers=AUTH)
        assert until(lambda: connects(url))  # that one closed, its place is free again
    response = refused.value.response
    assert response.status_code == 503
    assert json.loads(response.body)["error"]["code"] == "too_many_connections"


@pytest.mark.own_servers
def test_idle_connections_are_closed_and_free_their_places(emulator_url: str) -> None:
    cap = 5
    settings = gateway_settings(emulator_url, max_connections=cap, websocket_idle_seconds=0.5)
    with serving(settings) as (url, _), sockets(url, cap) as opened:
        for socket in opened:
            with pytest.raises(websockets.ConnectionClosedOK) as closed:
                socket.recv()
            assert closed.value.rcvd is not None
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1000, "idle timeout")
        assert until(lambda: connects(url))
