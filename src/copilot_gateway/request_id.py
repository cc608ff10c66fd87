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


current_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def install_log_field() -> None:
    """Every log record gets `request_id`: the request being served when it was logged."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "adds_request_id", False):
        return

    def with_request_id(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    with_request_id.adds_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(with_request_id)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(HEADER, b"")
        rid = sent.decode() if ACCEPTABLE.fullmatch(sent) else f"req_{uuid.uuid4().hex}"
        current_request_id.set(rid)  # for logs (streams' tasks inherit it)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message["headers"] = [*headers, (HEADER, rid.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)
