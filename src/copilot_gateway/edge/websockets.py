"""WebSocket connections, beside connexion (which routes HTTP only): the handshake of
`GET /v1/responses` upgraded, answered here before any connexion layer sees the scope.

At the handshake: WebSockets turned off is 426 (on which Codex falls back to HTTP at once;
any other failure costs it retries first), a path with no WebSocket service 404, a missing
or wrong key 401, a browser page of another origin 403, each with OpenAI's error body, as
over HTTP. Keys are those of HTTP, in the same places, checked by the same check (see
`edge.key_gate`), and checked again at each turn: a key revoked while its connection is open
serves no further turn. Origins: a browser sends its cookies with a WebSocket handshake and
no CORS applies to it, so an `Origin` (which only browsers send) must be the gateway's own
or one the operator allowed. An accepted connection is served by
`surfaces.openai.responses_socket`; each of its turns is logged, counted and written to the
ledger as a request of its own, within its key's limits and budgets.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from ..call import Call
from ..errors import GatewayError, NotFound
from ..gateway import Gateway
from ..key_limits.limiter import Limiter
from ..observability.clients import client_family
from ..observability.observe import observe
from ..observability.record import RequestRecord
from ..observability.request_id import current_request_id
from ..settings import Settings
from ..surfaces.openai.responses_socket import ResponsesSocket
from ..surfaces.openai.surface import OPENAI
from .calls import user_agent
from .client_connections import DRAIN
from .key_gate import KeyCheck, auth_failed
from .key_places import BEARER
from .public_url import base_url

RESPONSES_PATH = "/v1/responses"
log = logging.getLogger(__name__)


# A WebSocket's scheme, as the origin of a page on the same server spells it.
PAGE_SCHEMES = {"ws": "http", "wss": "https"}


class UpgradeRequired(GatewayError):
    status = 426
    code = "websockets_disabled"


class OriginRefused(GatewayError):
    status = 403
    code = "origin_not_allowed"


class WebSocketMiddleware:
    def __init__(
        self, app: ASGIApp, gateway: Gateway, check: KeyCheck | None, limiter: Limiter
    ) -> None:
        self.app = app
        self.gateway = gateway
        self.check = check
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        websocket = WebSocket(scope, receive, send)
        try:
            caller = await self.handshake(scope)
        except GatewayError as error:
            log.info("websocket refused at the handshake: %s %s", error.status, error.message)
            await websocket.send_denial_response(OPENAI.error_response(error))
            return
        calls = SocketCalls(self.gateway, self.limiter, scope, caller, self.check)
        socket = ResponsesSocket(websocket, self.gateway.settings, calls)
        # The server's own extensions (uvicorn's): what the protocol reads at shutdown.
        scope.setdefault("extensions", {})[DRAIN] = socket.drain
        await socket.serve()

    async def handshake(self, scope: Scope) -> str | None:
        """The caller's key name, once the upgrade may be accepted; else why not."""
        if not self.gateway.settings.websockets:
            raise UpgradeRequired(
                "WebSockets are turned off on this gateway: use HTTP (POST /v1/responses)."
            )
        if scope["path"] != RESPONSES_PATH:
            raise NotFound(f"No WebSocket is served at {scope['path'][:200]}.", code="unknown_url")
        if not origin_allowed(self.gateway.settings, scope):
            raise OriginRefused(
                "WebSockets are not accepted from this origin: add it to "
                "GATEWAY_WEBSOCKET_ALLOWED_ORIGINS to let its pages connect."
            )
        return await caller_of(self.check, scope)


async def caller_of(check: KeyCheck | None, scope: Scope) -> str | None:
    """The name of the key the handshake carries (None: no auth); else the 401."""
    if check is None:
        return None
    name = (await check.valid_keys(scope)).get(BEARER)
    if name is None:
        raise auth_failed(OPENAI.key_hint)
    return name


def origin_allowed(settings: Settings, scope: Scope) -> bool:
    """No `Origin` (a client that is no browser), the gateway's own, or one allowed."""
    origin = Headers(scope=scope).get("origin")
    if origin is None:
        return True
    origin = origin.rstrip("/").lower()
    if origin in (allowed.rstrip("/").lower() for allowed in settings.websocket_allowed_origins):
        return True
    own = urlsplit(base_url(settings, {**scope, "scheme": PAGE_SCHEMES.get(scope["scheme"])}))
    return bool(own.netloc) and origin == f"{own.scheme}://{own.netloc}".lower()


class SocketCalls:
    """A connection's turns, each a request of its own to the edge (see `TurnCalls`)."""

    def __init__(
        self,
        gateway: Gateway,
        limiter: Limiter,
        scope: Scope,
        caller: str | None,
        check: KeyCheck | None,
    ) -> None:
        self.gateway = gateway
        self.limiter = limiter
        self.scope = scope
        self.caller = caller
        self.check = check

    def new_call(self) -> Call:
        request_id = f"req_{uuid.uuid4().hex}"
        current_request_id.set(request_id)  # the turn's task: its log lines carry it
        record = RequestRecord(
            "GET",
            RESPONSES_PATH,
            request_id=request_id,
            surface=OPENAI.name,
            client=client_family(user_agent(self.scope)),
            operation="createResponse",
            key_name=self.caller,
        )
        return Call(self.gateway, OPENAI, record, self.scope, caller=self.caller)

    async def admit(self, call: Call) -> None:
        """As the edge admits a request: its key valid still (a revoked key's turn is the
        401, from memory: see `access.runtime_keys`), then its key's limits, or the 429."""
        if self.check is not None and await caller_of(self.check, self.scope) != self.caller:
            raise auth_failed(OPENAI.key_hint)
        if call.caller is not None and self.limiter.applies_to(call.caller):
            call.admission = await self.limiter.admit(call.caller, call.body)

    async def finished(self, call: Call) -> None:
        record = call.record
        if (admission := call.admission) is not None:
            call.admission = None
            used = record.prompt_tokens + record.completion_tokens
            await self.limiter.finish(admission, used, record.nano_aiu())
        record.status = call.error.status if call.error is not None else 200
        record.completed = call.error is None and not call.client_gone
        observe(record, call.error)
        self.gateway.ledger.note(record)
