"""Give every request an id, echo it on every response, and keep it for logs."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
# A client's id is kept only if it is short and plain: it goes into logs and headers.
ACCEPTABLE = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")


# A context variable because log lines are written from everywhere (uvicorn, httpx, our
# upstream client), far from any request object; streams' tasks inherit it.
current_request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Gives every record it passes `request_id`: the request being served when it was
    logged. On the handler, so it sees the records of every logger that reach it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(HEADER, b"")
        rid = sent.decode() if ACCEPTABLE.fullmatch(sent) else f"req_{uuid.uuid4().hex}"
        current_request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message["headers"] = [*headers, (HEADER, rid.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)
