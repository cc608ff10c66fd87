"""Every request becomes a `Call` (see `call`): made here, outermost, and handed to its
handler; and connexion's operations, as our handlers serve them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from connexion import AsyncApp
from connexion import context as connexion_context
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.operations import AbstractOperation
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..call import CALL_KEY, Call, call_of
from ..errors import GatewayError
from ..gateway import Gateway
from ..observability.clients import client_family
from ..observability.observe import observe
from ..observability.record import RequestRecord
from ..observability.request_id import current_request_id
from ..surfaces.base import Handler
from ..surfaces.dashboard import is_dashboard
from ..surfaces.registry import OPERATOR_SURFACES, surface_for_path

# Paths go into logs: a path of garbage is cut short.
LOGGED_PATH_CHARS = 200
# Probes and scrapes are neither logged nor counted: they would drown the rest.
NOT_OBSERVED = frozenset({"/metrics", "/healthz", "/quota"})


class CallMiddleware:
    """Makes the request's call; answers a `GatewayError` raised by the edge middlewares
    around connexion (whose own errors connexion's handlers answer); and once the response
    is done (streams included) has it logged and counted."""

    def __init__(self, app: ASGIApp, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        surface = surface_for_path(scope["path"])
        record = RequestRecord(
            scope["method"],
            scope["path"][:LOGGED_PATH_CHARS],
            request_id=current_request_id.get(),  # the edge's first middleware set it
            surface=surface.name,
            client=client_family(user_agent(scope)),
        )
        call = Call(self.gateway, surface, record, scope)
        scope.setdefault("state", {})[CALL_KEY] = call

        async def send_noting_progress(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # The server drops what is sent after a disconnect: that is no completion.
                record.completed = not call.client_gone
            await send(message)

        async def receive_noting_disconnect() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect":
                call.client_gone = True  # streams check it (see `surfaces.streams`)
            return message

        try:
            await self.app(scope, receive_noting_disconnect, send_noting_progress)
        except GatewayError as error:
            if record.status is not None:
                raise
            await call.failed(error)(scope, receive_noting_disconnect, send_noting_progress)
        finally:
            # The operator's API and pages: logged; neither the ledger's nor the metrics'.
            if surface in OPERATOR_SURFACES or is_dashboard(scope["path"]):
                observe(record, call.error, counted=False)
            elif scope["path"] not in NOT_OBSERVED:
                observe(record, call.error)
                self.gateway.ledger.note(record)  # written later, off the request's path


def user_agent(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"user-agent":
            return value.decode("latin-1")
    return None


class HandlerOperation:
    """One of our operations as connexion's app calls it, once routing, security and
    validation are done: its handler, given the call and the path's parameters.

    connexion's own operation decorates its function anew on every request, then maps the
    request onto the function's signature through several layers (body, form files, query,
    context). Our handlers take only the call, whose body the validator has parsed, and the
    path's parameters, which the router has matched. Operations with query parameters keep
    connexion's mapping (it casts them, and fills in their defaults): see `HandlerApi`.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(call_of(scope), **scope.get("path_params", {}))
        await response(scope, receive, send)


class HandlerApi(AsyncApi):
    def make_operation(  # type: ignore[override]
        self, operation: AbstractOperation
    ) -> HandlerOperation | AsyncOperation:
        if any(parameter["in"] == "query" for parameter in operation.parameters):
            return AsyncOperation(
                endpoint_for(operation.function),
                jsonifier=self.jsonifier,
                operation_id=operation.operation_id,
                pythonic_params=self.pythonic_params,
            )
        return HandlerOperation(operation.function)


def endpoint_for(handler: Handler) -> Callable[..., Awaitable[Response]]:
    """The handler as connexion's own operation calls it: given its call first.

    connexion reads the endpoint's signature to choose what to pass (the path's and the
    query's parameters here): it is the handler's own, less the call.
    """

    async def endpoint(**parameters: object) -> Response:
        return await handler(call_of(connexion_context.scope), **parameters)

    signature = inspect.signature(handler)
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=list(signature.parameters.values())[1:]
    )
    endpoint.__name__ = endpoint.__qualname__ = handler.__name__
    return endpoint


def call_handlers_directly(app: AsyncApp) -> None:
    """Have `app` serve each operation with a `HandlerOperation` (see there)."""
    app._middleware_app.api_cls = HandlerApi


class NoteOperationMiddleware:
    """Behind connexion's router, where the operationId is known: notes it in the record
    (connexion routes with a copy of the scope, so the outer middleware cannot see it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        if scope["type"] == "http" and routing.get("operation_id"):
            call_of(scope).record.operation = routing["operation_id"]
        await self.app(scope, receive, send)
