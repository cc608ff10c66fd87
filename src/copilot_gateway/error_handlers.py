"""Turn every exception that reaches connexion's error middleware into an OpenAI error.

connexion renders RFC 7807 problems and Starlette renders plain text; we register one
handler per exception family so that no client ever sees either.
"""

from __future__ import annotations

import logging

import orjson
from connexion import AsyncApp
from connexion.exceptions import OAuthProblem, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from .errors import (
    AuthenticationFailed,
    GatewayError,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    UnsupportedMediaType,
)
from .record import note

log = logging.getLogger(__name__)

# One message for every failed authentication, whatever the reason, so a caller learns
# nothing about which keys exist.
AUTH_FAILED_MESSAGE = "Missing or invalid API key: send 'Authorization: Bearer <key>'."


def as_connexion_response(error: GatewayError) -> ConnexionResponse:
    note(error_code=error.code or error.type)
    return ConnexionResponse(
        status_code=error.status,
        mimetype="application/json",
        content_type="application/json",
        body=orjson.dumps(error.body()),
        headers=error.headers,
        is_streamed=False,
    )


def from_problem(exc: ProblemException) -> GatewayError:
    """connexion's problems: validation, auth, content type, non-conforming responses."""
    headers = dict(exc.headers or {})
    if isinstance(exc, OAuthProblem) or exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
        return AuthenticationFailed(AUTH_FAILED_MESSAGE, headers=headers)
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


async def handle_gateway_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, GatewayError)
    if exc.status >= 500:  # the operator's business, with the request id (see request_id)
        log.warning("%s %s: %s", exc.status, exc.code, exc.message)
    return as_connexion_response(exc)


async def handle_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    return as_connexion_response(from_problem(exc))


async def handle_http_exception(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    return as_connexion_response(from_http_exception(exc))


async def handle_undecodable(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return as_connexion_response(InvalidRequest("The request body is not valid UTF-8."))


async def handle_unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.exception("unexpected error", exc_info=exc)
    return as_connexion_response(InternalError("The gateway hit an unexpected error."))


def install(app: AsyncApp) -> None:
    app.add_error_handler(GatewayError, handle_gateway_error)
    app.add_error_handler(ProblemException, handle_problem)
    app.add_error_handler(HTTPException, handle_http_exception)
    app.add_error_handler(UnicodeDecodeError, handle_undecodable)
    app.add_error_handler(Exception, handle_unexpected)
