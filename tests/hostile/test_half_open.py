"""Half-open connections on every surface: a client gone without a FIN or RST reaching the
gateway (a laptop closed, a NAT that dropped its state), simulated by a relay that stops
forwarding either way and closes neither side. In each state a connection can be in (its
request head unfinished, its body unfinished, its answer awaited, its stream running, kept
alive idle, an idle WebSocket) the gateway closes it at the timeout that state has, and its
place under `GATEWAY_MAX_CONNECTIONS` is free again: with a cap of two, two frozen
connections, a new client is served once they are gone. A stream's upstream stream is let
go of, and its access line says `client_disconnected`.

Every timeout is short here (a second); each wait is on a signal: the gateway's
`gateway_connections_open`, the upstream's count of open streams, a new client served."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import orjson
import pytest
from fast_upstream import CHUNK, CHUNKS, fast_upstream
from hostile_wire import AUTH_HEADER, connect, read_response, serving
from prometheus_client import REGISTRY
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websocket_wire import RESPONSES_PATH, create, raw_handshake, read_head, text_frame

from access_lines import ACCESS_LOGGER, capture_access
from copilot_gateway.settings import Settings
from servers import gateway_settings, until
from tcp_relay import TcpRelay, relayed

CAP = 2  # connections the gateway takes: both frozen, a third client waits for their places
# Every timeout a half-open connection can meet, short.
TIMEOUTS = {
    "first_byte_timeout": 1.0,
    "request_head_timeout": 1.0,
    "body_timeout": 1.0,
    "body_total_timeout": 2.0,
    "keep_alive_seconds": 1.0,
    "websocket_idle_seconds": 1.0,
    "write_timeout_seconds": 1.0,
    "max_connections": CAP,
}
# A window of a few kilobytes on the relay: frozen, the gateway's writes soon find it full.
RELAY_BUFFER = 4096


@dataclass(frozen=True)
class Surface:
    name: str
    auth: bytes  # the header line its clients send their key in
    path: str
    body: dict
    stream_path: str | None = None  # None: the surface does not stream
    stream_body: dict | None = None

    def request(self, request_id: str, stream: bool = False) -> bytes:
        path = self.stream_path if stream else self.path
        body = orjson.dumps(self.stream_body if stream else self.body)
        assert path is not None
        return (
            b"POST %s HTTP/1.1\r\nHost: gateway\r\n" % path.encode()
            + self.auth
            + b"X-Request-Id: %s\r\n" % request_id.encode()
            + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body
        )


CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
RESPONSE = {"model": "gpt-4o", "input": "hi"}
MESSAGE = {
    "model": "gpt-4o",
    "max_tokens": 100_000,
    "messages": [{"role": "user", "content": "hi"}],
}
GEMINI = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
HTTP_SURFACES = [
    Surface("chat", AUTH_HEADER, "/v1/chat/completions", CHAT, "/v1/chat/completions",
            {**CHAT, "stream": True}),
    Surface("completions", AUTH_HEADER, "/v1/completions", {"model": "gpt-4o", "prompt": "hi"},
            "/v1/completions", {"model": "gpt-4o", "prompt": "hi", "stream": True}),
    Surface("embeddings", AUTH_HEADER, "/v1/embeddings",
            {"model": "text-embedding-3-small", "input": "hi"}),
    Surface("responses", AUTH_HEADER, "/v1/responses", RESPONSE, "/v1/responses",
            {**RESPONSE, "stream": True}),
    Surface("messages", b"x-api-key: sk-test-key\r\n", "/v1/messages", MESSAGE, "/v1/messages",
            {**MESSAGE, "stream": True}),
    Surface("gemini", b"x-goog-api-key: sk-test-key\r\n",
            "/v1beta/models/gpt-4o:generateContent", GEMINI,
            "/v1beta/models/gpt-4o:streamGenerateContent?alt=sse", GEMINI),
]  # fmt: skip
STREAMING = [surface for surface in HTTP_SURFACES if surface.stream_path is not None]
ALL = [surface.name for surface in HTTP_SURFACES] + ["websocket"]


def open_connections() -> float:
    """The gateway's `gateway_connections_open`, as `/metrics` would show it (the gateway
    runs in the test's process; a scrape would take a place of its own)."""
    return REGISTRY.get_sample_value("gateway_connections_open") or 0.0


def served(port: int) -> bool:
    """Whether a new client, straight to the gateway, is answered 200 (not 503: no place)."""
    with connect(port) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: gateway\r\n" + AUTH_HEADER + b"\r\n")
        return read_response(sock)[0] == 200


class Relays:
    """Relays to a gateway, one per connection, each frozen by the test."""

    def __init__(self, port: int, stack: ExitStack) -> None:
        self.port = port
        self.stack = stack
        self.sockets: list[socket.socket] = []

    def connect(self) -> tuple[TcpRelay, socket.socket]:
        relay = self.relay()
        sock = connect(relay.port)
        self.sockets.append(sock)
        return relay, sock

    def relay(self) -> TcpRelay:
        return self.stack.enter_context(relayed(self.port, receive_buffer=RELAY_BUFFER))

    def upgraded(self) -> tuple[TcpRelay, socket.socket]:
        """A relayed WebSocket of `GET /v1/responses`, its upgrade accepted."""
        relay = self.relay()
        sock = raw_handshake(relay.port)
        self.sockets.append(sock)
        assert read_head(sock).startswith(b"HTTP/1.1 101")
        return relay, sock


@contextmanager
def gateway(settings: Settings) -> Iterator[Relays]:
    """A gateway taking two connections; once the test froze its two, they must be closed
    by the gateway and their places serve a new client."""
    with serving(settings) as (_, port), ExitStack() as stack:
        before = open_connections()  # other gateways' of this process (a test's pool)
        relays = Relays(port, stack)
        yield relays
        assert until(lambda: open_connections() <= before), f"{open_connections():g} open"
        assert until(lambda: served(port), every=0.05)
        for sock in relays.sockets:
            sock.close()


def emulated(emulator_url: str) -> Settings:
    return gateway_settings(emulator_url, **TIMEOUTS)


def surface_named(name: str) -> Surface:
    return next(surface for surface in HTTP_SURFACES if surface.name == name)


def forwarded(relay: TcpRelay, size: int) -> Callable[[], bool]:
    """A condition: the relay passed this many bytes on to the gateway."""
    return lambda: relay.to_server == size


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    return [vars(line) for line in caplog.records if line.name == ACCESS_LOGGER]


@pytest.mark.parametrize("name", ALL)
def test_a_connection_frozen_in_its_request_head_is_closed(emulator_url: str, name: str) -> None:
    # The head's deadline answers it 408 (into the void) and closes it.
    method, path = (
        ("GET", RESPONSES_PATH) if name == "websocket" else ("POST", surface_named(name).path)
    )
    with gateway(emulated(emulator_url)) as relays:
        for _ in range(CAP):
            relay, sock = relays.connect()
            sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: gateway\r\n".encode())
            relay.freeze()


@pytest.mark.parametrize("surface", HTTP_SURFACES, ids=lambda surface: surface.name)
def test_a_connection_frozen_mid_body_is_closed(emulator_url: str, surface: Surface) -> None:
    # The body's deadline answers it 408 (into the void) and closes it.
    with gateway(emulated(emulator_url)) as relays:
        for number in range(CAP):
            relay, sock = relays.connect()
            request = surface.request(f"mid-body-{number}")
            sock.sendall(request[: request.index(b"\r\n\r\n") + 5])  # the head, and "{"
            relay.freeze()


def test_a_websocket_frozen_mid_message_is_closed(emulator_url: str) -> None:
    # A frame begun, never finished: no message came, so the connection is idle, and closed.
    with gateway(emulated(emulator_url)) as relays:
        for _ in range(CAP):
            relay, sock = relays.upgraded()
            sock.sendall(text_frame(create().encode())[:10])
            relay.freeze()


@pytest.mark.parametrize("surface", HTTP_SURFACES, ids=lambda surface: surface.name)
def test_a_connection_frozen_waiting_for_its_answer_is_closed(
    emulator_url: str, surface: Surface, caplog: pytest.LogCaptureFixture
) -> None:
    # The answer goes into the buffers on the way, never read; the connection is then idle,
    # closed at the keep-alive timeout. The request was served: its access line says so.
    capture_access(caplog)
    with gateway(emulated(emulator_url)) as relays:
        for number in range(CAP):
            relay, sock = relays.connect()
            request = surface.request(f"waiting-{number}")
            sock.sendall(request)
            assert until(forwarded(relay, len(request)))  # all of it is on its way
            relay.freeze()

    def statuses() -> list[object]:
        status = {line.get("request_id"): line.get("status") for line in access_lines(caplog)}
        return [status.get(f"waiting-{number}") for number in range(CAP)]

    assert until(lambda: statuses() == [200] * CAP), statuses()


@pytest.mark.parametrize("surface", HTTP_SURFACES, ids=lambda surface: surface.name)
def test_a_kept_alive_connection_frozen_idle_is_closed(emulator_url: str, surface: Surface) -> None:
    with gateway(emulated(emulator_url)) as relays:
        for number in range(CAP):
            relay, sock = relays.connect()
            sock.sendall(surface.request(f"kept-{number}"))
            assert read_response(sock)[0] == 200
            relay.freeze()


def test_an_idle_websocket_frozen_is_closed(emulator_url: str) -> None:
    # Closed at the idle timeout: its close frame goes into the void, then the connection.
    with gateway(emulated(emulator_url)) as relays:
        for _ in range(CAP):
            relay, _ = relays.upgraded()
            relay.freeze()


@pytest.mark.parametrize("name", [surface.name for surface in STREAMING] + ["websocket"])
def test_a_connection_frozen_mid_stream_lets_go_of_the_upstream_stream(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The stream's writes fill the buffers on the way and stop: at the write deadline the
    # connection is closed, and the upstream stream with it, long before its end.
    capture_access(caplog)
    with fast_upstream() as (upstream, upstream_url):
        settings = gateway_settings(
            "", upstream="openai", upstream_url=upstream_url, upstream_responses="translate",
            **TIMEOUTS,
        )  # fmt: skip
        with gateway(settings) as relays:
            for number in range(CAP):
                if name == "websocket":
                    relay, sock = relays.upgraded()
                    sock.sendall(text_frame(create().encode()))
                    assert sock.recv(4096)  # the turn's first events
                else:
                    relay, sock = relays.connect()
                    sock.sendall(surface_named(name).request(f"stream-{number}", stream=True))
                    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
                relay.freeze()
            assert until(lambda: upstream.streams_open == 0)
            assert upstream.written < CHUNKS * len(CHUNK)  # not one whole stream of the two

    def gone() -> list[dict]:
        return [line for line in access_lines(caplog) if line.get("error") == "client_disconnected"]

    assert until(lambda: len(gone()) == CAP), access_lines(caplog)


def test_the_uvicorn_hooks_a_client_connection_overrides_still_exist() -> None:
    for protocol in (HttpToolsProtocol, WebSocketsSansIOProtocol):
        for hook in ("connection_made", "connection_lost", "pause_writing", "resume_writing"):
            assert callable(getattr(protocol, hook, None)), (protocol, hook)
    assert callable(getattr(HttpToolsProtocol, "handle_websocket_upgrade", None))
