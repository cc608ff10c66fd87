"""WebSockets to a gateway as hostile clients open them: through the `websockets` client,
or by hand on a raw socket (a handshake the test writes byte by byte, a client that never
reads)."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from typing import Any

from hostile_wire import AUTH_HEADER, connect

RESPONSES_PATH = "/v1/responses"
AUTH = {"Authorization": "Bearer sk-test-key"}


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + RESPONSES_PATH


def create(model: str = "gpt-4o", text: str = "Hi", **fields: Any) -> str:
    """A `response.create` message."""
    return json.dumps({"type": "response.create", "model": model, "input": text, **fields})


def raw_handshake(
    port: int, headers: bytes = AUTH_HEADER, rcvbuf: int | None = None
) -> socket.socket:
    """A socket whose upgrade of `GET /v1/responses` was sent (with these header lines);
    its answer is the test's to read."""
    sock = connect(port)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(
        b"GET " + RESPONSES_PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: " + key + b"\r\n" + headers + b"\r\n"
    )
    return sock


def read_head(sock: socket.socket) -> bytes:
    """The answer's status line and headers (up to the blank line)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError(f"closed before an answer: {data!r}")
        data += chunk
    return data


def text_frame(payload: bytes) -> bytes:
    """A client's text frame (masked, as RFC 6455 requires of clients)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x81, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x81, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x81, 0x80 | 127, length)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return head + mask + masked
