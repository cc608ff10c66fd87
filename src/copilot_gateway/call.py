"""The one object a handler gets per request: what it needs, and what the layers it crossed
learnt on the way.

The edge makes a `Call` for every request and keeps it in the ASGI scope's `state` under
`CALL_KEY`, read only through `call_of`: connexion hands its inner middlewares copies of the
scope, but they share its `state` (see `private_apis`), so the layers inside connexion's
stack reach the same call. Each field says who fills it in; the layers below this one
(`spec`, `key_limits`, `access`, `upstreams`) never import it: they take what they need as
arguments, and the app wires their results in (see `keep_body`, `answer_was_checked`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from .access.rules import AccessConfig
from .errors import GatewayError
from .gateway import Gateway
from .key_limits.limiter import Admission
from .observability.record import RequestRecord
from .upstreams.base import Upstream

CALL_KEY = "copilot_gateway.call"


class Wire(Protocol):
    """What a call needs of the API surface it came in on (a `surfaces.base.Surface`, which
    sits above this module): its spec document, and how it frames events and errors."""

    @property
    def document(self) -> str: ...

    @property
    def key_hint(self) -> str: ...

    def sse_event(self, data: Any, name: str | None = None) -> bytes: ...

    def error_response(self, error: GatewayError) -> Response: ...

    def stream_error_event(self, error: GatewayError) -> bytes: ...


@dataclass(slots=True)
class Call:
    """One request being served: what its handler needs, and what it learns on the way."""

    gateway: Gateway
    surface: Wire
    record: RequestRecord
    scope: Scope  # the ASGI scope, for what the access rules read (peer, headers)
    body: Any = None  # the JSON body, parsed once and validated against the spec (`keep_body`)
    # The valid keys it presented, by where (`bearer`, `x-api-key`), to their names: the key
    # gate checks each once (see `edge.key_gate`); connexion's security check reads it.
    valid_keys: dict[str, str] = field(default_factory=dict)
    caller: str | None = None  # the name of the key its operation accepted (`edge.security`)
    answer_checked: bool = False  # its JSON answer was checked before serialisation
    error: GatewayError | None = None  # what it was answered with, if it failed
    client_gone: bool = False  # the client disconnected (the server said so)
    admission: Admission | None = None  # what its key's limits admitted (`edge.key_limits`)

    @property
    def upstream(self) -> Upstream:
        return self.gateway.upstream

    @property
    def owner(self) -> str:
        """Whose stored objects this call may see: its key's (without keys, every caller is
        the same one)."""
        return self.caller or ""

    @property
    def client_headers(self) -> Mapping[str, str]:
        """The client's request headers, handed to the upstream with each request: it passes
        on those its endpoint forwards and reads the agents' marks (`upstreams.agents`)."""
        return Headers(scope=self.scope)

    @property
    def access(self) -> AccessConfig:
        return self.gateway.access

    def conforming(self, schema_name: str, body: Any) -> Any:
        """body, once checked against the surface's spec (see `spec.answers`)."""
        self.gateway.answers.check(self.surface.document, schema_name, body)
        return body

    def answer(self, schema_name: str, body: Any) -> Response:
        """A JSON answer, checked against the spec here, before it is serialised."""
        return self.answer_standing_in(schema_name, body, body)

    def answer_standing_in(self, schema_name: str, body: Any, checked: Any) -> Response:
        """A JSON answer holding parts passed on as the upstream wrote them (`orjson.Fragment`s,
        checked by whoever read them): `checked` is the same answer with a value of each such
        part's type in its place, and is what the spec checks."""
        self.conforming(schema_name, checked)
        response = json_response(body)
        self.answer_checked = True
        return response

    def failed(self, error: GatewayError) -> Response:
        """The error answer, in this call's surface shape."""
        self.error = error
        return self.surface.error_response(error)

    def stream_failed(
        self, error: GatewayError, error_event: Callable[[GatewayError], bytes] | None = None
    ) -> bytes:
        """The event that ends a stream that failed after its headers were sent: the
        surface's, or the stream's own kind of error event (`error_event`)."""
        self.error = error
        return (error_event or self.surface.stream_error_event)(error)


def call_of(scope: Scope) -> Call:
    call: Call = scope["state"][CALL_KEY]
    return call


def keep_body(scope: Scope, body: Any) -> None:
    """The request validator's parsed body, kept for the handler (see `spec.requests`)."""
    call_of(scope).body = body


def answer_was_checked(scope: Scope) -> bool:
    """Whether the handler checked its JSON answer already (see `spec.requests`)."""
    return call_of(scope).answer_checked


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON answer; explicit content type, as some operations declare two for their 200."""
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")
