"""uvicorn's HTTP/1.1 protocol, hardened against hostile clients, answering in API errors.

What uvicorn leaves open, closed here, per connection, before the app sees a request:
- a request head (request line and headers) larger than `max_header_bytes`: 431, at once,
  the rest unread;
- a connection that sends no byte within `first_byte_timeout`: closed; a request head
  that is not complete within `request_head_timeout` (from accept, or from a kept-alive
  connection's next byte): 408 (slowloris);
- more open connections than `max_connections`: the new one is answered 503 and closed,
  the refusal logged;
- what uvicorn's parser rejects (a bare CR or LF in a header, say): uvicorn answers it
  with a plain-text 400 of its own; here it is an error object;
- a write that cannot progress (see `client_connections`): aborted after `write_timeout`.
Every answer here is in the default surface's shape (no path is known to choose another).

It overrides uvicorn's hooks `connection_made`, `connection_lost`, `data_received`,
`on_message_begin`, `on_headers_complete`, `send_400_response` and
`handle_websocket_upgrade` (and `client_connections` its flow-control hooks): uvicorn is pinned to
the minor version this is tested on, and a test checks that the hooks still exist.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from ..errors import GatewayError, InvalidRequest, RequestTimeout
from ..surfaces.registry import DEFAULT
from .client_connections import ClientConnection

log = logging.getLogger(__name__)

# The uvicorn hooks overridden below (a test checks they still exist in uvicorn).
OVERRIDDEN_HOOKS = (
    "connection_made",
    "connection_lost",
    "data_received",
    "on_message_begin",
    "on_headers_complete",
    "send_400_response",
    "handle_websocket_upgrade",
)
REFUSALS_LOGGED_EVERY = 10.0  # seconds: a flood of refused connections is not a flood of lines
# After an error answer, what the client still sends is read and dropped for this long (or
# this much), so the close does not reset the connection before the client read the answer.
LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024


class Refusals:
    """Connections refused for the cap: logged at once, then at most every few seconds."""

    def __init__(self) -> None:
        self.unlogged = 0
        self.logged_at = -REFUSALS_LOGGED_EVERY

    def count(self, cap: int) -> None:
        self.unlogged += 1
        now = time.monotonic()
        if now - self.logged_at >= REFUSALS_LOGGED_EVERY:
            log.warning(
                "refused %d connection(s): %d are open, the most allowed (GATEWAY_MAX_CONNECTIONS)",
                self.unlogged,
                cap,
            )
            self.unlogged, self.logged_at = 0, now


@dataclass(frozen=True)
class ConnectionLimits:
    max_header_bytes: int
    first_byte_timeout: float
    request_head_timeout: float
    max_connections: int
    write_timeout: float
    # The server's own (each server its count and its last line, as two in one process would).
    refusals: Refusals = field(default_factory=Refusals, compare=False)


class ApiErrorsHttpToolsProtocol(ClientConnection, HttpToolsProtocol):
    def __init__(self, *args: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(*args, write_timeout=limits.write_timeout, **kwargs)
        self.limits = limits
        self.head_bytes = 0  # of the request head being read
        self.reading_head = True  # until the head of the current request is complete
        self.head_deadline: asyncio.TimerHandle | None = None
        self.first_byte_deadline: asyncio.TimerHandle | None = None
        self.lingering = False  # answered and closing: what arrives now is dropped
        self.refused = False  # past the cap: its request is answered 503

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.first_byte_deadline = self.loop.call_later(
            self.limits.first_byte_timeout, self.no_first_byte
        )
        if len(self.connections) > self.limits.max_connections:
            # Answered once the client has spoken: answered before its request, it would meet
            # a reset sending it (or, in some clients, a connection closed mid-handshake)
            # instead of the 503.
            self.refused = True
            self.limits.refusals.count(self.limits.max_connections)
            return
        self.head_deadline = self.loop.call_later(
            self.limits.request_head_timeout, self.head_timed_out
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_deadlines()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self.let_go()  # the WebSocket's protocol counts the connection from here
        super().handle_websocket_upgrade()

    def cancel_deadlines(self) -> None:
        for deadline in (self.head_deadline, self.first_byte_deadline):
            if deadline is not None:
                deadline.cancel()
        self.head_deadline = self.first_byte_deadline = None

    def data_received(self, data: bytes) -> None:
        if self.refused and not self.lingering:
            message = "The gateway has too many open connections; retry later."
            self.send_error(GatewayError(message, status=503, code="too_many_connections"))
            return  # what it sent is dropped, as what follows is while lingering
        if self.lingering:
            self.head_bytes += len(data)
            if self.head_bytes > LINGER_BYTES:
                self.transport.close()
            return
        if self.first_byte_deadline is not None:
            self.first_byte_deadline.cancel()
            self.first_byte_deadline = None
        if self.reading_head:
            self.head_bytes += len(data)
        super().data_received(data)
        # Checked after parsing, so a head that ends within this read is not refused.
        if self.reading_head and self.head_bytes > self.limits.max_header_bytes:
            limit = self.limits.max_header_bytes
            message = f"The request's headers exceed the gateway's limit of {limit} bytes."
            self.send_error(
                GatewayError(message, status=431, code="request_header_fields_too_large")
            )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.reading_head = True
        if self.head_deadline is None:  # a kept-alive connection's next request
            self.head_bytes = 0
            self.head_deadline = self.loop.call_later(
                self.limits.request_head_timeout, self.head_timed_out
            )

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.cancel_deadlines()
        super().on_headers_complete()

    def no_first_byte(self) -> None:
        """Nothing to answer: the connection never said anything."""
        self.first_byte_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def head_timed_out(self) -> None:
        self.head_deadline = None
        seconds = self.limits.request_head_timeout
        message = f"The request's headers did not arrive within {seconds:g} s."
        self.send_error(RequestTimeout(message))

    def send_400_response(self, msg: str) -> None:
        self.send_error(
            InvalidRequest(f"The request is not valid HTTP/1.1: {msg}", code="invalid_http")
        )

    def send_error(self, error: GatewayError, linger: bool = True) -> None:
        """Answer with the error, then close: the rest of the request is never parsed."""
        self.cancel_deadlines()
        if self.transport.is_closing() or self.lingering:
            return
        body = orjson.dumps(DEFAULT.error_body(error))
        content = [STATUS_LINE[error.status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        if linger and self.transport.can_write_eof():
            # Closing now, with the client's bytes unread, would reset the connection and
            # could discard the answer before the client reads it.
            self.lingering = True
            self.head_bytes = 0  # now counts what is dropped
            self.flow.resume_reading()
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()
