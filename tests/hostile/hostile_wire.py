"""A gateway served exactly as `serve` serves it (its HTTP protocol and limits included),
and raw sockets to talk to it the way hostile clients do."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import orjson

import servers
from copilot_gateway.settings import Settings

AUTH_HEADER = b"Authorization: Bearer sk-test-key\r\n"


@contextmanager
def serving(settings: Settings) -> Iterator[tuple[str, int]]:
    """The gateway for these settings, served as `serve` serves it; yields (base URL, port)."""
    with servers.serving(settings) as url:
        yield url, int(url.rsplit(":", 1)[1])


# How long a read may wait for the gateway's answer: a ceiling that only a broken gateway
# reaches (a loaded machine took more than 5 s to answer a stream's first bytes), never a
# margin a test relies on; tests of the gateway's own timeouts set theirs.
PATIENCE = 120.0


def connect(port: int, timeout: float = PATIENCE) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response with a Content-Length (the gateway's error answers have one)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", 0)):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def error_of(body: bytes) -> dict:
    error: dict = orjson.loads(body)["error"]
    return error


def closed_by_peer(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the connection (EOF or reset) within this many seconds."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True
