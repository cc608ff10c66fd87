"""Refuse request bodies that are too large or arrive too slowly, without buffering them."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import PayloadTooLarge, RequestTimeout


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body exceeds the gateway's limit of {limit} bytes.")


def too_slow(seconds: float) -> RequestTimeout:
    return RequestTimeout(f"The request body did not arrive within {seconds:g} s.")


class BodyLimitMiddleware:
    """413 from the declared Content-Length at once, or as soon as a streamed body passes the
    limit; 408 when the body's next part takes longer than the timeout."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large(self.max_bytes)  # answered by the call's surface (see `calls`)
        received = 0
        body_done = False

        async def guarded_receive() -> Message:
            nonlocal received, body_done
            if body_done:  # later receives wait for a disconnect, as long as a stream lasts
                return await receive()
            try:
                async with asyncio.timeout(self.timeout):
                    message = await receive()
            except TimeoutError:
                # Raised inside connexion's stack, so its error middleware renders it.
                raise too_slow(self.timeout) from None
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise too_large(self.max_bytes)
            body_done = not message.get("more_body", False)
            return message

        await self.app(scope, guarded_receive, send)
