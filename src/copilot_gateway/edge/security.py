"""connexion's security check for our operations: was the key this operation's spec asks
for sent where its scheme says (a bearer token, a header of its own, a query parameter: see
`edge.key_places`), and found valid?

The key gate, before routing, has checked every key the request carries and noted the valid
ones in its call (see `edge.key_gate`): here nothing is hashed again, only read. The key the
operation accepts names the caller, for the access rules, the limits and the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.exceptions import OAuthResponseProblem
from connexion.security import NO_VALUE, ApiKeySecurityHandler, BearerSecurityHandler

from ..call import call_of
from .key_places import BEARER, place_of


def _accepted(request: Any, where: str) -> dict[str, str]:
    """connexion's token info for the key sent in `where`, if the gate found it valid."""
    call = call_of(request.scope)
    name = call.valid_keys.get(where)
    if name is None:
        raise OAuthResponseProblem(detail="Provided token is not valid")
    call.caller = call.record.key_name = name
    return {"sub": name}


class GatewayBearer(BearerSecurityHandler):
    """A bearer token, accepted if the gate found it valid.

    Passed through `security_map`, so the served spec never names a checker function; and
    its verifier is ours whole, so connexion inspects no checker's signature per request.
    """

    def get_fn(self, security_scheme: dict, required_scopes: Any) -> Callable:
        async def verify(request: Any) -> dict[str, str] | object:
            scheme, _ = self.get_auth_header_value(request)
            return NO_VALUE if scheme != "bearer" else _accepted(request, BEARER)

        return verify


class GatewayApiKey(ApiKeySecurityHandler):
    """The same for a key sent in a header of its own (`x-api-key`) or a query parameter."""

    def get_fn(self, security_scheme: dict, required_scopes: Any) -> Callable:
        place = place_of(security_scheme)
        assert place is not None and place.where != BEARER  # an apiKey scheme names one

        async def verify(request: Any) -> dict[str, str] | object:
            if place.query is not None:
                sent = request.query_params.get(place.query)
            else:
                sent = request.headers.get(place.where)
            return NO_VALUE if sent is None else _accepted(request, place.where)

        return verify
