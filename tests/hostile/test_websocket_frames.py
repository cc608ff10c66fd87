"""What a WebSocket client may send that is no `response.create`: a frame past the size
limit (closed, 1009), a binary frame (closed, 1003), text that is not UTF-8 (closed, 1007);
invalid JSON, JSON of another shape or nested past the gateway's limits, and events of
another type (each an error event in WebSocket mode's shape, the connection kept: a turn is
served after them)."""

from __future__ import annotations

import json

import pytest
import websockets
from hostile_wire import serving
from websocket_wire import AUTH, create, raw_handshake, read_head, text_frame, ws_url
from websockets.sync.client import connect
from websockets.sync.connection import Connection

from servers import gateway_settings

ANY = "(any code)"


def closed_with(socket: Connection) -> tuple[int, str]:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            socket.recv()
    assert closed.value.rcvd is not None, "the gateway sent no close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason


@pytest.mark.own_servers
def test_a_frame_past_the_size_limit_is_closed_with_1009(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, websocket_max_frame_bytes=4096)
    with serving(settings) as (url, _), connect(ws_url(url), additional_headers=AUTH) as socket:
        socket.send(create(text="x" * 8192))
        code, reason = closed_with(socket)
    assert code == 1009 and "4096" in reason


def test_a_binary_frame_is_closed_with_1003(gateway_url: str) -> None:
    with connect(ws_url(gateway_url), additional_headers=AUTH) as socket:
        socket.send(create().encode())  # the right message, in the wrong kind of frame
        code, reason = closed_with(socket)
    assert (code, reason) == (1003, "binary frames are not accepted: send text")


def test_text_that_is_not_utf8_is_closed_with_1007(gateway_url: str) -> None:
    port = int(gateway_url.rsplit(":", 1)[1])
    with raw_handshake(port) as sock:
        assert read_head(sock).startswith(b"HTTP/1.1 101 ")
        sock.sendall(text_frame(b'{"type": "\xff\xfe"}'))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    # A close frame (opcode 8), its code first: 1007, invalid frame payload data.
    assert answer[0] == 0x88 and int.from_bytes(answer[2:4], "big") == 1007


@pytest.mark.parametrize(
    ("message", "code", "param"),
    [
        ("not json", None, None),
        ("", None, None),
        ("[1, 2, 3]", "invalid_event_type", "type"),
        ('"response.create"', "invalid_event_type", "type"),
        ('{"type": "response.cancel"}', "invalid_event_type", "type"),
        ('{"model": "gpt-4o", "input": "no type"}', "invalid_event_type", "type"),
        ('{"type": "response.create", "model": 7}', ANY, "model"),
        (
            '{"type": "response.create", "model": "gpt-4o", "input": '
            + "[" * 100
            + "]" * 100
            + "}",
            "json_too_deep",
            None,
        ),
    ],
    ids=["not-json", "empty", "array", "string", "other-type", "no-type", "bad-field", "too-deep"],
)
def test_a_message_that_is_no_response_create_is_an_error_event_and_the_connection_stays(
    gateway_url: str, message: str, code: str | None, param: str | None
) -> None:
    with connect(ws_url(gateway_url), additional_headers=AUTH) as socket:
        socket.send(message)
        error = json.loads(socket.recv())
        socket.send(create())  # served after it, on the same connection
        events = [json.loads(socket.recv())]
        while events[-1]["type"] not in ("response.completed", "error"):
            events.append(json.loads(socket.recv()))
    assert error["type"] == "error" and error["status"] == 400
    assert set(error["error"]) == {"type", "code", "message", "param"}
    assert error["error"]["type"] == "invalid_request_error"
    if code is not ANY:
        assert error["error"]["code"] == code
    assert error["error"]["param"] == param
    assert events[-1]["type"] == "response.completed"
