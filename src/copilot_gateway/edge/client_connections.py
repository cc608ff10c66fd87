"""What every client connection gets, over HTTP and after a WebSocket upgrade alike: it is
counted in `gateway_connections_open`, and a write that cannot progress has a deadline.

A peer gone without a FIN or RST reaching us (a laptop closed, a NAT that dropped the
connection's state) reads nothing ever again: the kernel's send buffer fills, then the
transport's, and a stream's next write waits forever, holding the upstream stream, the
connection's place under `GATEWAY_MAX_CONNECTIONS` and its descriptor. A close waits as
long, as asyncio flushes the transport's buffer first. So the transport keeps no buffer of
its own (the kernel's is the buffer): it pauses the protocol as soon as the kernel takes no
more, and a connection paused `write_timeout` seconds without the kernel taking a byte is
aborted, as a client that left is: the request sees it gone, its upstream stream is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from ..observability.metrics import CONNECTIONS_OPEN

log = logging.getLogger(__name__)
# In an accepted WebSocket's scope `extensions`: how its app ends the connection itself at
# shutdown (see `ClientWebSocketProtocol.shutdown`).
DRAIN = "copilot_gateway.drain"


class ClientConnection:
    """A mixin before an asyncio protocol of uvicorn's (its `transport` and `loop` set)."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop

    def __init__(self, *args: Any, write_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.write_timeout = write_timeout
        self.write_deadline: asyncio.TimerHandle | None = None
        self.counted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        # Paused whenever the kernel takes no more (see the module's docstring).
        cast(asyncio.WriteTransport, transport).set_write_buffer_limits(high=0)
        CONNECTIONS_OPEN.inc()
        self.counted = True

    def connection_lost(self, exc: Exception | None) -> None:
        self.let_go()
        super().connection_lost(exc)  # type: ignore[misc]

    def let_go(self) -> None:
        """No longer this protocol's connection: closed, or handed to another protocol."""
        self.cancel_write_deadline()
        if self.counted:
            CONNECTIONS_OPEN.dec()
            self.counted = False

    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        if self.write_deadline is None:
            self.write_deadline = self.loop.call_later(self.write_timeout, self.write_timed_out)

    def resume_writing(self) -> None:
        self.cancel_write_deadline()
        super().resume_writing()  # type: ignore[misc]

    def cancel_write_deadline(self) -> None:
        if self.write_deadline is not None:
            self.write_deadline.cancel()
            self.write_deadline = None

    def write_timed_out(self) -> None:
        self.write_deadline = None
        log.info(
            "closed a client connection that read nothing for %g s (GATEWAY_WRITE_TIMEOUT_SECONDS)",
            self.write_timeout,
        )
        self.transport.abort()


class ClientWebSocketProtocol(ClientConnection, WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol (the one `ws="auto"` picks), as a client connection."""

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # A handshake refused with an HTTP answer (401, 403, 426) has ended: uvicorn
            # counts only an accept or a close as its end, and logged each refusal as an
            # error ("ASGI callable returned without completing handshake").
            self.handshake_complete = True

    def shutdown(self) -> None:
        """uvicorn closes every WebSocket at once (1012), cutting a turn midway: the client
        sends it again elsewhere, and the upstream bills it twice. An app that said how to
        end its connection (`DRAIN`) is told instead, and closes it once its turn is over
        (the turn itself within the grace period every stream gets: see `draining`)."""
        extensions = (self.scope.get("extensions") or {}) if self.app_may_close() else {}
        drain = cast(Callable[[], None] | None, extensions.get(DRAIN))
        if drain is None:
            super().shutdown()
            return
        self.stop_keepalive()
        drain()

    def app_may_close(self) -> bool:
        return self.handshake_complete and not self.close_sent and hasattr(self, "scope")
