"""The running gateway's shared parts, and the one object a handler gets per request."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.types import Scope

from .access.rules import AccessConfig
from .edge.shutdown import Draining
from .errors import GatewayError
from .observability.record import RequestRecord
from .settings import Settings
from .spec.answers import AnswerChecks
from .state.responses import ResponseStore, SQLiteResponseStore
from .surfaces.base import Surface, json_response
from .upstreams.base import Upstream

if TYPE_CHECKING:
    from .limits.limiter import Admission


@dataclass
class Gateway:
    settings: Settings
    upstream: Upstream
    upstream_description: str
    access: AccessConfig = field(default_factory=AccessConfig)
    draining: Draining = field(init=False)
    answers: AnswerChecks = field(init=False)
    responses: ResponseStore = field(init=False)  # stored Responses API responses

    def __post_init__(self) -> None:
        self.draining = Draining(self.settings.shutdown_grace_seconds)
        self.answers = AnswerChecks(reject=self.settings.upstream_validation == "reject")
        # Opened on first use: an app that never stores a response never creates the file.
        self.responses = SQLiteResponseStore(
            self.settings.responses_db, self.settings.responses_ttl
        )


@dataclass(slots=True)
class Call:
    """One request being served: what its handler needs, and what it learns on the way.

    Made by the edge for every request (see `edge.calls`); the request validator fills in
    `body`, the security check `caller`.
    """

    gateway: Gateway
    surface: Surface
    record: RequestRecord
    scope: Scope  # the ASGI scope, for what the access rules read (peer, headers)
    body: Any = None  # the JSON body, parsed once and validated against the spec
    caller: str | None = None  # the name of the key it presented, when keys are checked
    answer_checked: bool = False  # its JSON answer was checked before serialisation
    error: GatewayError | None = None  # what it was answered with, if it failed
    client_gone: bool = False  # the client disconnected (the server said so)
    admission: Admission | None = None  # what its key's limits admitted (see `limits`)

    @property
    def upstream(self) -> Upstream:
        return self.gateway.upstream

    def conforming(self, schema_name: str, body: Any) -> Any:
        """body, once checked against the surface's spec (see `spec.answers`)."""
        self.gateway.answers.check(self.surface.document, schema_name, body)
        return body

    def answer(self, schema_name: str, body: Any) -> Response:
        """A JSON answer, checked against the spec here, before it is serialised."""
        response = json_response(self.conforming(schema_name, body))
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


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(14)


def now() -> int:
    return int(time.time())
