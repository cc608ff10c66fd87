"""The running gateway's shared parts, and how a handler reaches them."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from connexion.context import request
from starlette.responses import Response

from . import conformance
from .access import AccessConfig
from .settings import Settings
from .shutdown import Draining
from .upstreams.base import Upstream
from .validation import ANSWER_CHECKED_KEY, BODY_KEY


@dataclass
class Gateway:
    settings: Settings
    upstream: Upstream
    upstream_description: str
    access: AccessConfig = field(default_factory=AccessConfig)
    draining: Draining = field(init=False)

    def __post_init__(self) -> None:
        self.draining = Draining(self.settings.shutdown_grace_seconds)

    def conforming(self, schema_name: str, body: Any) -> Any:
        """body, once checked against the spec (see `conformance`)."""
        conformance.check(schema_name, body, self.settings.upstream_validation == "reject")
        return body

    def answer(self, schema_name: str, body: Any) -> Response:
        """A JSON answer, checked against the spec here, before it is serialised."""
        response = json_response(self.conforming(schema_name, body))
        request.scope["state"][ANSWER_CHECKED_KEY] = True
        return response


def validated_body() -> Any:
    """The request's JSON body, parsed (once, with orjson) and validated against the spec."""
    return request.scope["state"][BODY_KEY]


def current_gateway() -> Gateway:
    """The gateway serving the current request (put in the scope by the app)."""
    gateway: Gateway = request.scope["state"]["gateway"]
    return gateway


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(14)


def now() -> int:
    return int(time.time())


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON answer; explicit content type, as chat declares two for its 200."""
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")
