"""Every error the gateway answers, as a kind with its status, type and usual code.

    kind                     status  type                    typical code
    InvalidRequest           400     invalid_request_error   (varies)
    AuthenticationFailed     401     authentication_error    invalid_api_key
    NotFound                 404     not_found_error         model_not_found, unknown_url
    MethodNotAllowed         405     invalid_request_error   method_not_allowed
    RequestTimeout           408     invalid_request_error   request_timeout
    PayloadTooLarge          413     invalid_request_error   request_too_large
    UnsupportedMediaType     415     invalid_request_error   unsupported_media_type
    RateLimited              429     rate_limit_error        rate_limit_exceeded
    QuotaExhausted           429     insufficient_quota      insufficient_quota
    InternalError            500     server_error            internal_error
    UpstreamFailed           502     api_error               upstream_error
    UpstreamUnavailable      503     api_error               upstream_unavailable
    UpstreamTimeout          504     api_error               upstream_timeout

Every module raises these (or `GatewayError` with an explicit status). Only the API
surface a request came in on turns one into bytes on the wire (its body shape, its stream
error event): see `surfaces`.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    """An error with everything any surface needs to answer it."""

    status = 500
    code: str | None = None
    kind: str | None = None  # the type, where the status alone does not say it

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
        self.type = type or self.kind or type_for_status(self.status)
        self.headers = dict(headers or {})


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


class RequestTimeout(GatewayError):
    status = 408
    code = "request_timeout"


class PayloadTooLarge(GatewayError):
    status = 413
    code = "request_too_large"


class UnsupportedMediaType(GatewayError):
    status = 415
    code = "unsupported_media_type"


class RateLimited(GatewayError):
    status = 429
    code = "rate_limit_exceeded"


class QuotaExhausted(GatewayError):
    """A spending quota is used up: OpenAI's 429 that retrying soon will not cure."""

    status = 429
    code = "insufficient_quota"
    kind = "insufficient_quota"


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
