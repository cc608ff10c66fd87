"""The client's keys, checked once, before routing: a wrong or missing key is 401 on every
path, unknown ones included, so a wrong key never passes for a missing route.

connexion checks keys only on the operations it matched, and only in the places their
spec's security schemes name (a bearer token on every surface, `x-api-key` on the Anthropic
one). So the gate notes which of the keys it checked are valid, and where each was sent, in
the request's call; connexion's security check reads that, and never hashes a key again
(see `edge.security`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ..access.keys import KeyRing
from ..call import call_of
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
# Where a key was sent: as a bearer token, or in a header of its own (by the header's name,
# as a security scheme of type apiKey names it).
BEARER = "bearer"
API_KEY_HEADER = "x-api-key"


def presented_keys(scope: Scope) -> list[tuple[str, str]]:
    """The keys a request carries, each with where it was sent: a bearer token, an
    `x-api-key` header."""
    keys = []
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                keys.append((BEARER, token.strip()))
        elif name == API_KEY_HEADER.encode():
            keys.append((API_KEY_HEADER, value.decode("latin-1")))
    return keys


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class KeyGateMiddleware:
    def __init__(self, app: ASGIApp, keys: KeyRing) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not is_open(scope["path"]):
            valid = call_of(scope).valid_keys
            for where, key in presented_keys(scope):
                if (info := self.keys.check(key)) is not None:
                    valid[where] = info["sub"]
            if not valid:
                raise AuthenticationFailed(
                    AUTH_FAILED_MESSAGE, headers={"WWW-Authenticate": "Bearer"}
                )
        await self.app(scope, receive, send)
