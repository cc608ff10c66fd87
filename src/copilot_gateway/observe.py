"""Open a record for every request, and when its response is done (streams included),
log its one access line and count it in the metrics."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import metrics
from .logs import log_request
from .record import RequestRecord, current_record, note

# Paths go into logs: a path of garbage is cut short.
LOGGED_PATH_CHARS = 200
NOT_OBSERVED = frozenset({"/metrics", "/healthz"})


class ObserveMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NOT_OBSERVED:
            await self.app(scope, receive, send)
            return
        record = RequestRecord(scope["method"], scope["path"][:LOGGED_PATH_CHARS])
        current_record.set(record)

        async def send_noting_progress(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                record.completed = True
            await send(message)

        try:
            await self.app(scope, receive, send_noting_progress)
        finally:
            if record.status is not None and not record.completed:
                # Streams end with [DONE] or an error event: one cut short lost its client.
                record.error_code = record.error_code or "client_disconnected"
            seconds = record.seconds()
            metrics.observe_request(record, seconds)
            log_request(record, seconds)


class NoteOperationMiddleware:
    """Behind connexion's router, where the operationId is known: notes it in the record
    (connexion hands inner middlewares a copy of the scope, so the outer one cannot see it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        if routing.get("operation_id"):
            note(operation=routing["operation_id"])
        await self.app(scope, receive, send)
