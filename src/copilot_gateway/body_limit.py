"""Refuse request bodies over a size limit, without reading them into memory first."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import PayloadTooLarge, error_response


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body exceeds the gateway's limit of {limit} bytes.")


class BodyLimitMiddleware:
    """413 from the declared Content-Length at once, or as soon as a streamed body passes it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(too_large(self.max_bytes))(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # Raised inside connexion's stack, so its error middleware renders it.
                raise too_large(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)
