"""Refuse request bodies that are too large or arrive too slowly, without buffering them."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import PayloadTooLarge, RequestTimeout


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body exceeds the gateway's limit of {limit} bytes.")


def too_slow(seconds: float, in_total: bool = False) -> RequestTimeout:
    what = "the whole request body" if in_total else "the request body's next part"
    return RequestTimeout(f"The gateway waited {seconds:g} s for {what}.")


class BodyLimitMiddleware:
    """413 from the declared Content-Length at once, or as soon as a streamed body passes the
    limit; 408 when the body's next part takes longer than the timeout, or the whole body
    longer than the total timeout (a byte now and then would keep the first at bay)."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float, total_timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.total_timeout = total_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large(self.max_bytes)  # answered by the call's surface (see `calls`)
        received = 0
        body_done = False
        loop = asyncio.get_running_loop()
        total_deadline = loop.time() + self.total_timeout

        async def guarded_receive() -> Message:
            nonlocal received, body_done
            if body_done:  # later receives wait for a disconnect, as long as a stream lasts
                return await receive()
            next_deadline = loop.time() + self.timeout
            try:
                async with asyncio.timeout_at(min(next_deadline, total_deadline)):
                    message = await receive()
            except TimeoutError:
                # Raised inside connexion's stack, so its error middleware renders it.
                if next_deadline <= total_deadline:
                    raise too_slow(self.timeout) from None
                raise too_slow(self.total_timeout, in_total=True) from None
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise too_large(self.max_bytes)
            body_done = not message.get("more_body", False)
            return message

        await self.app(scope, guarded_receive, send)
