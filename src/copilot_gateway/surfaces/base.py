"""What every API surface owns: its spec document, its operations, and how it speaks
errors and server-sent events. The rest of the gateway raises `GatewayError`s and hands
events to the surface the request came in on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.responses import Response, StreamingResponse

from ..errors import GatewayError
from ..spec.operations import Operation

# A handler takes the call it serves (see `call.Call`), then the path's parameters.
Handler = Callable[..., Awaitable[Response]]


class Surface:
    """An API surface: subclasses say how its errors and events look on the wire."""

    name: str
    document: str  # the spec file under openapi/
    operations: tuple[Operation, ...]
    handlers: Mapping[str, Handler]  # by operationId: the spec's one hop to its handler
    # Paths that are this surface's even when no operation matches (a 404 in its shape).
    path_prefixes: tuple[str, ...] = ()
    # Where its clients send keys, for the 401's message (its spec's security schemes say
    # where keys are taken: see `edge.key_places`).
    key_hint = "'Authorization: Bearer <key>'"
    # Where its spec document is published (`/openapi/<name>.json` unless it says).
    spec_path: str | None = None

    def claims(self, path: str) -> bool:
        """Whether a request path is this surface's (its errors in its shape)."""
        return bool(self.path_prefixes) and path.startswith(self.path_prefixes)

    def published_at(self) -> str:
        return self.spec_path or f"/openapi/{self.name}.json"

    def handler(self, operation_id: str) -> Handler:
        return self.handlers[operation_id]

    def error_body(self, error: GatewayError) -> dict[str, Any]:
        raise NotImplementedError

    def sse_event(self, data: Any, name: str | None = None) -> bytes:
        """One server-sent event, as this surface frames it."""
        prefix = b"event: " + name.encode() + b"\n" if name else b""
        return prefix + b"data: " + orjson.dumps(data) + b"\n\n"

    def stream_error_event(self, error: GatewayError) -> bytes:
        """What a client sees when a stream fails after its headers were sent."""
        raise NotImplementedError

    def error_status(self, error: GatewayError) -> int:
        """The status an error is answered with: its own, unless the surface says it its way."""
        return error.status

    def error_headers(self, error: GatewayError) -> Mapping[str, str]:
        return error.headers

    def error_response(self, error: GatewayError) -> Response:
        return Response(
            orjson.dumps(self.error_body(error)),
            status_code=self.error_status(error),
            media_type="application/json",
            headers=self.error_headers(error),
        )


def sse_response(events: AsyncIterator[bytes]) -> StreamingResponse:
    # No buffering anywhere: proxies are told so too (X-Accel-Buffering).
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
