"""Turn every exception that reaches connexion's error middleware into a `GatewayError`,
answered in the shape of the request's API surface.

connexion renders RFC 7807 problems and Starlette renders plain text; we register one
handler per exception family so that no client ever sees either.
"""

from __future__ import annotations

import logging

from connexion import AsyncApp
from connexion.exceptions import OAuthProblem, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from ..call import call_of
from ..errors import (
    GatewayError,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    UnsupportedMediaType,
)
from ..surfaces.registry import OPERATOR_SURFACES, SURFACES
from .key_gate import auth_failed

log = logging.getLogger(__name__)


def answer(request: ConnexionRequest, error: GatewayError) -> ConnexionResponse:
    """The error as the request's surface answers it (connexion wants its own type)."""
    response = call_of(request.scope).failed(error)
    return ConnexionResponse(
        status_code=response.status_code,
        mimetype=response.media_type,
        content_type=response.media_type,
        body=response.body,
        # The surface's headers (the error's own, and e.g. Anthropic's `request-id`).
        headers={
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-type")
        },
        is_streamed=False,
    )


def from_problem(exc: ProblemException, key_hint: str) -> GatewayError:
    """connexion's problems: validation, auth, content type, non-conforming responses;
    `key_hint`: where the request's surface takes keys, for a 401."""
    headers = dict(exc.headers or {})
    if isinstance(exc, OAuthProblem) or exc.status == 401:
        refused = auth_failed(key_hint)
        refused.headers.update(headers)
        return refused
    if exc.status == 415:
        return UnsupportedMediaType(str(exc.detail), headers=headers)
    if exc.status >= 500:
        log.error("connexion problem %s: %s", exc.status, exc.detail)
        return InternalError("The gateway failed to produce a valid response.")
    return GatewayError(str(exc.detail or exc.title), status=exc.status, headers=headers)


def from_http_exception(exc: HTTPException) -> GatewayError:
    """Starlette's routing errors (404 unknown path, 405 wrong method) and friends."""
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return NotFound("Unknown request URL.", code="unknown_url", headers=headers)
    if exc.status_code == 405:
        return MethodNotAllowed("Method not allowed for this URL.", headers=headers)
    return GatewayError(str(exc.detail), status=exc.status_code, headers=headers)


async def handle_gateway_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, GatewayError)
    if exc.status >= 500:  # the operator's business, with the request id (see request_id)
        log.warning("%s %s: %s", exc.status, exc.code, exc.message)
    return answer(request, exc)


async def handle_problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    return answer(request, from_problem(exc, call_of(request.scope).surface.key_hint))


async def handle_http_exception(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    error = from_http_exception(exc)
    if exc.status_code == 405 and (allowed := allowed_methods(request.url.path)):
        # Starlette names only the first route's methods; a path may have several operations.
        error.headers["Allow"] = allowed
    return answer(request, error)


def allowed_methods(path: str) -> str | None:
    """Every method the surfaces serve at path, as an `Allow` header. A path spelled out
    (`/v1/responses/compact`) is its own, never also a template's (`/v1/responses/{id}`)."""
    operations = [op for s in SURFACES + OPERATOR_SURFACES for op in s.operations]
    mounted = [op for op in operations if op.is_mounted_at(path)]
    literal = [op for op in mounted if path in op.mounted_paths()]
    methods = {op.method.upper() for op in literal or mounted}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods)) or None


async def handle_undecodable(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return answer(request, InvalidRequest("The request body is not valid UTF-8."))


async def handle_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.exception("unexpected error", exc_info=exc)
    return answer(request, InternalError("The gateway hit an unexpected error."))


def install(app: AsyncApp) -> None:
    app.add_error_handler(GatewayError, handle_gateway_error)
    app.add_error_handler(ProblemException, handle_problem)
    app.add_error_handler(HTTPException, handle_http_exception)
    app.add_error_handler(UnicodeDecodeError, handle_undecodable)
    app.add_error_handler(Exception, handle_unexpected)
