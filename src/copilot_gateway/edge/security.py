"""The client's key, checked by connexion's security layer against our key ring: as a bearer
token (every surface) or in the `x-api-key` header (the Anthropic surface)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.exceptions import OAuthResponseProblem
from connexion.security import NO_VALUE, ApiKeySecurityHandler, BearerSecurityHandler

from ..access.keys import KeyRing, TokenInfo
from .calls import call_of


def _accepted(request: Any, info: TokenInfo | None) -> TokenInfo:
    if info is None:
        raise OAuthResponseProblem(detail="Provided token is not valid")
    call = call_of(request.scope)
    call.caller = call.record.key_name = info["sub"]
    return info


def bearer_handler_for(keys: KeyRing) -> type[BearerSecurityHandler]:
    """A connexion security handler that checks bearer tokens against `keys`.

    Passed through `security_map`, so the served spec never names a checker function.
    """

    class GatewayBearer(BearerSecurityHandler):
        def _resolve_func(self, security_scheme: dict) -> Callable[[str], TokenInfo | None]:
            return keys.check

        def _get_verify_func(self, check: Callable[[str], TokenInfo | None]) -> Callable:
            # connexion's generic wrapper inspects the checker's signature on every request.
            async def verify(request: Any) -> TokenInfo | object:
                scheme, token = self.get_auth_header_value(request)
                if scheme != "bearer":
                    return NO_VALUE
                return _accepted(request, check(token))

            return verify

    return GatewayBearer


def api_key_handler_for(keys: KeyRing) -> type[ApiKeySecurityHandler]:
    """The same check for keys sent in a header of their own (`x-api-key`)."""

    class GatewayApiKey(ApiKeySecurityHandler):
        def get_fn(self, security_scheme: dict, required_scopes: Any) -> Callable:
            header = security_scheme["name"]

            async def verify(request: Any) -> TokenInfo | object:
                key = request.headers.get(header)
                return NO_VALUE if key is None else _accepted(request, keys.check(key))

            return verify

    return GatewayApiKey
