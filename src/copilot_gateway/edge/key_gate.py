"""A key checked before routing: a wrong or missing key is 401 on every path, unknown ones
included, so a wrong key never passes for a missing route (connexion checks keys only on
the operations it matched; it checks them again there, and names the caller)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ..access.keys import KeyRing
from ..errors import AuthenticationFailed

# What anyone may read: probes, the operator's endpoints (behind their own token), the specs
# and their docs.
OPEN_PATHS = frozenset({"/healthz", "/metrics", "/quota", "/openapi.json", "/docs"})
OPEN_PREFIXES = ("/docs/", "/openapi/")
# One message for every failed authentication, whatever the reason, so a caller learns
# nothing about which keys exist.
AUTH_FAILED_MESSAGE = (
    "Missing or invalid API key: send 'Authorization: Bearer <key>' (or 'x-api-key: <key>' "
    "on /v1/messages)."
)


def presented_keys(scope: Scope) -> list[str]:
    """The keys a request carries: a bearer token, an `x-api-key` header."""
    keys = []
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                keys.append(token.strip())
        elif name == b"x-api-key":
            keys.append(value.decode("latin-1"))
    return keys


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class KeyGateMiddleware:
    def __init__(self, app: ASGIApp, keys: KeyRing) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and not is_open(scope["path"])
            and not any(self.keys.check(key) for key in presented_keys(scope))
        ):
            raise AuthenticationFailed(AUTH_FAILED_MESSAGE, headers={"WWW-Authenticate": "Bearer"})
        await self.app(scope, receive, send)
