"""The client's keys, checked once, before routing: a wrong or missing key is 401 on every
path, unknown ones included, so a wrong key never passes for a missing route.

connexion checks keys only on the operations it matched, and only in the places their
spec's security schemes name (see `key_places`: a bearer token on every surface, `x-api-key`
on the Anthropic one). So the gate notes which of the keys it checked are valid, and where
each was sent, in the request's call; connexion's security check reads that, and never
hashes a key again (see `edge.security`).

A key not in the static ring (compared in constant time) is looked up among the runtime keys
by its SHA-256 (see `access.runtime_keys`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ..access.keys import KeyRing
from ..access.runtime_keys import RuntimeKeys
from ..call import call_of
from ..errors import AuthenticationFailed
from .key_places import KeyPlace, KeyPlaces

# What anyone may read: probes, the operator's endpoints (behind their own token: the admin
# API's is checked by `admin_gate`, the dashboard's by its login), the specs and their docs.
OPEN_PATHS = frozenset({"/healthz", "/metrics", "/quota", "/openapi.json", "/docs", "/dashboard"})
OPEN_PREFIXES = ("/docs/", "/openapi/", "/admin/", "/dashboard/")


def auth_failed(hint: str) -> AuthenticationFailed:
    """One answer for every failed authentication, whatever the reason, so a caller learns
    nothing about which keys exist; `hint` is where the request's surface takes keys."""
    return AuthenticationFailed(
        f"Missing or invalid API key: send {hint}.", headers={"WWW-Authenticate": "Bearer"}
    )


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class KeyCheck:
    """The keys a request (or a WebSocket's handshake) carries, checked: where each valid
    one was sent, to its name."""

    def __init__(
        self, keys: KeyRing, places: frozenset[KeyPlace], runtime: RuntimeKeys | None = None
    ) -> None:
        self.keys = keys
        self.runtime = runtime
        self.places = KeyPlaces(places)

    async def valid_keys(self, scope: Scope) -> dict[str, str]:
        valid = {}
        for where, key in self.places.presented(scope):
            if (info := self.keys.check(key)) is not None:
                valid[where] = info["sub"]
            elif self.runtime is not None and (name := await self.runtime.lookup(key)):
                valid[where] = name
        return valid


class KeyGateMiddleware:
    def __init__(self, app: ASGIApp, check: KeyCheck) -> None:
        self.app = app
        self.check = check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not is_open(scope["path"]):
            call = call_of(scope)
            call.valid_keys.update(await self.check.valid_keys(scope))
            if not call.valid_keys:
                raise auth_failed(call.surface.key_hint)
        await self.app(scope, receive, send)
