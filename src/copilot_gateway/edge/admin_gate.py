"""The admin token, checked before routing on every `/admin/` path: wrong or missing is 401
in OpenAI's shape. It is compared in constant time, and it is no client key (nor a client
key an admin token): the key gate leaves these paths to this one."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import AuthenticationFailed

ADMIN_PREFIX = "/admin/"


def _digest(text: str) -> bytes:
    # Digests have one length: the comparison's time says nothing of the token's.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def bearer_of(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


class AdminGateMiddleware:
    def __init__(self, app: ASGIApp, token: SecretStr) -> None:
        self.app = app
        self.digest = _digest(token.get_secret_value())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(ADMIN_PREFIX):
            sent = bearer_of(scope)
            if sent is None or not hmac.compare_digest(_digest(sent), self.digest):
                raise AuthenticationFailed(
                    "Missing or invalid admin token: send 'Authorization: Bearer "
                    "<GATEWAY_ADMIN_TOKEN>'.",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        await self.app(scope, receive, send)
