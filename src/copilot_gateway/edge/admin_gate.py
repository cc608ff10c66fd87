"""The admin token, checked before routing on every `/admin/` path: wrong or missing is 401
in OpenAI's shape. It is compared in constant time, and it is no client key (nor a client
key an admin token): the key gate leaves these paths to this one. Wrong tokens are counted
with the dashboard's wrong logins (`access.wrong_tokens`): past the limit every try is 429.
Every answer on these paths is `Cache-Control: no-store`: a key's secret is in one."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..access.wrong_tokens import WrongTokens
from ..errors import AuthenticationFailed, RateLimited

ADMIN_PREFIX = "/admin/"
NO_STORE = {"Cache-Control": "no-store"}


def _digest(text: str) -> bytes:
    # Digests have one length: the comparison's time says nothing of the token's.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def bearer_of(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def peer_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "-"


class AdminGateMiddleware:
    def __init__(self, app: ASGIApp, token: SecretStr, wrong_tokens: WrongTokens) -> None:
        self.app = app
        self.digest = _digest(token.get_secret_value())
        self.wrong_tokens = wrong_tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        peer = peer_of(scope)
        if (wait := await self.wrong_tokens.retry_after(peer)) is not None:
            raise RateLimited(
                "Too many wrong admin tokens: try again later.",
                headers={**NO_STORE, "Retry-After": str(wait)},
            )
        sent = bearer_of(scope)
        if sent is None or not hmac.compare_digest(_digest(sent), self.digest):
            await self.wrong_tokens.wrong(peer)
            raise AuthenticationFailed(
                "Missing or invalid admin token: send 'Authorization: Bearer "
                "<GATEWAY_ADMIN_TOKEN>'.",
                headers={**NO_STORE, "WWW-Authenticate": "Bearer"},
            )

        async def send_unstored(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_unstored)
