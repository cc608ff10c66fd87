"""WebSocket handshakes a gateway refuses before the upgrade: a missing or wrong key (401),
a browser page of another origin (403: a browser sends its cookies with the handshake and no
CORS applies to WebSockets). Clients that are no browser send no `Origin`, and connect."""

from __future__ import annotations

import json
import logging

import pytest
import websockets
from hostile_wire import serving
from websocket_wire import AUTH, raw_handshake, read_head, ws_url
from websockets.sync.client import connect
from websockets.typing import Origin

from servers import gateway_settings


@pytest.mark.parametrize(
    "headers",
    [
        b"",
        b"Authorization: Bearer sk-wrong\r\n",
        b"Authorization: Bearer\r\n",
        b"x-api-key: sk-test-key\r\n",
    ],
    ids=["missing", "wrong", "empty", "in-another-place"],
)
def test_a_handshake_without_a_valid_key_is_401_before_the_upgrade(
    gateway_url: str, headers: bytes
) -> None:
    port = int(gateway_url.rsplit(":", 1)[1])
    with raw_handshake(port, headers) as sock:
        head = read_head(sock)
        body = b""
        while chunk := sock.recv(65536):
            body += chunk
    assert head.startswith(b"HTTP/1.1 401 ")
    assert b"upgrade: websocket" not in head.lower()
    error = json.loads(body)["error"]
    assert error["type"] == "authentication_error" and error["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "http://127.0.0.1.evil.example", "http://localhost:1"],
)
def test_a_handshake_from_a_page_of_another_origin_is_403(gateway_url: str, origin: str) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        connect(ws_url(gateway_url), additional_headers=AUTH, origin=origin)  # type: ignore[arg-type]
    response = refused.value.response
    assert response.status_code == 403
    error = json.loads(response.body)["error"]
    assert (
        error["code"] == "origin_not_allowed"
        and "GATEWAY_WEBSOCKET_ALLOWED_ORIGINS" in error["message"]
    )


def test_the_gateways_own_origin_and_no_origin_connect(gateway_url: str) -> None:
    own = gateway_url  # a page the gateway itself served: http://127.0.0.1:<port>
    for origin in (own, None):
        with connect(ws_url(gateway_url), additional_headers=AUTH, origin=origin) as socket:  # type: ignore[arg-type]
            socket.send('{"type": "ping"}')
            assert json.loads(socket.recv())["error"]["code"] == "invalid_event_type"


@pytest.mark.own_servers
def test_an_origin_the_operator_allowed_connects(emulator_url: str) -> None:
    allowed = "https://app.example.com"
    settings = gateway_settings(
        emulator_url, websocket_allowed_origins=f"{allowed}, https://b.example"
    )
    with serving(settings) as (url, _):
        with connect(ws_url(url), additional_headers=AUTH, origin=allowed) as socket:  # type: ignore[arg-type]
            socket.send('{"type": "ping"}')
            assert json.loads(socket.recv())["error"]["code"] == "invalid_event_type"
        with pytest.raises(websockets.InvalidStatus) as refused:
            connect(ws_url(url), additional_headers=AUTH, origin="https://c.example")  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403


@pytest.mark.own_servers
def test_the_public_urls_origin_is_the_gateways_own(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, public_url="https://llm.example.com/gateway/")
    with serving(settings) as (url, _):
        public_origin = Origin("https://llm.example.com")
        with connect(ws_url(url), additional_headers=AUTH, origin=public_origin) as socket:
            socket.send('{"type": "ping"}')
            assert json.loads(socket.recv())["error"]["code"] == "invalid_event_type"
        # The Host the client sent is no longer the gateway's own: the public URL is.
        with pytest.raises(websockets.InvalidStatus) as refused:
            connect(ws_url(url), additional_headers=AUTH, origin=Origin(url))
        assert refused.value.response.status_code == 403


def test_a_refused_handshake_is_no_error_in_the_log(
    gateway_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    port = int(gateway_url.rsplit(":", 1)[1])
    with raw_handshake(port, b"") as sock:
        assert read_head(sock).startswith(b"HTTP/1.1 401 ")
        while sock.recv(65536):
            pass
    with pytest.raises(websockets.InvalidStatus):
        connect(ws_url(gateway_url), additional_headers=AUTH, origin=Origin("https://evil.example"))
    # A whole handshake served after them: the refused ones' tasks have ended.
    with connect(ws_url(gateway_url), additional_headers=AUTH):
        pass
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert any("websocket refused at the handshake" in r.getMessage() for r in caplog.records)
