"""Every error the gateway returns, in OpenAI's shape.

    kind                     status  OpenAI type             typical code
    InvalidRequest           400     invalid_request_error   (varies)
    AuthenticationFailed     401     authentication_error    invalid_api_key
    NotFound                 404     not_found_error         model_not_found, unknown_url
    MethodNotAllowed         405     invalid_request_error   method_not_allowed
    PayloadTooLarge          413     invalid_request_error   request_too_large
    UnsupportedMediaType     415     invalid_request_error   unsupported_media_type
    RateLimited              429     rate_limit_error        rate_limit_exceeded
    InternalError            500     server_error            internal_error
    UpstreamFailed           502     api_error               upstream_error
    UpstreamUnavailable      503     api_error               upstream_unavailable
    UpstreamTimeout          504     api_error               upstream_timeout

Modules raise these (or `GatewayError` with an explicit status); `error_body` and
`error_response` are the one place that turns them into bytes on the wire.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.responses import Response

from .record import note

TYPE_BY_STATUS = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


def type_for_status(status: int) -> str:
    if status in TYPE_BY_STATUS:
        return TYPE_BY_STATUS[status]
    if status == 500:
        return "server_error"
    return "api_error" if status >= 500 else "invalid_request_error"


class GatewayError(Exception):
    """An error with everything needed to answer it in OpenAI's shape."""

    status = 500
    code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status: int | None = None,
        type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.type = type or type_for_status(self.status)
        self.headers = dict(headers or {})

    def body(self) -> dict:
        return error_body(self.message, self.type, self.param, self.code)


class InvalidRequest(GatewayError):
    status = 400


class AuthenticationFailed(GatewayError):
    status = 401
    code = "invalid_api_key"


class NotFound(GatewayError):
    status = 404


class MethodNotAllowed(GatewayError):
    status = 405
    code = "method_not_allowed"


class PayloadTooLarge(GatewayError):
    status = 413
    code = "request_too_large"


class UnsupportedMediaType(GatewayError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(GatewayError):
    status = 429
    code = "rate_limit_exceeded"


class InternalError(GatewayError):
    status = 500
    code = "internal_error"


class UpstreamFailed(GatewayError):
    status = 502
    code = "upstream_error"


class UpstreamUnavailable(GatewayError):
    status = 503
    code = "upstream_unavailable"


class UpstreamTimeout(GatewayError):
    status = 504
    code = "upstream_timeout"


def error_body(message: str, type: str, param: str | None, code: str | None) -> dict:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def error_response(error: GatewayError) -> Response:
    note(error_code=error.code or error.type)
    return Response(
        orjson.dumps(error.body()),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


def sse_error_event(error: GatewayError) -> bytes:
    """The event a client sees when a stream fails after its headers were sent."""
    note(error_code=error.code or error.type)
    return b"data: " + orjson.dumps(error.body()) + b"\n\n"
