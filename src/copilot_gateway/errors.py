"""Every error the gateway answers, as a tree of kinds, each with its status, the `type`
OpenAI's surface gives it, and its usual code:

    kind                              status  type                   typical code
    GatewayError                      500     server_error           (any: its raiser's status)
    ├── InvalidRequest                400     invalid_request_error  (varies)
    │   ├── UnknownField              400     invalid_request_error  (none)
    │   └── ContextTooLong            400     invalid_request_error  context_length_exceeded
    ├── AuthenticationFailed          401     authentication_error   invalid_api_key
    ├── NotFound                      404     not_found_error        model_not_found, unknown_url
    ├── MethodNotAllowed              405     invalid_request_error  method_not_allowed
    ├── RequestTimeout                408     invalid_request_error  request_timeout
    ├── PayloadTooLarge               413     invalid_request_error  request_too_large
    ├── UnsupportedMediaType          415     invalid_request_error  unsupported_media_type
    ├── RateLimited                   429     rate_limit_error       rate_limit_exceeded
    ├── QuotaExhausted                429     insufficient_quota     insufficient_quota
    ├── InternalError                 500     server_error           internal_error
    └── UpstreamError                 502     api_error              (the upstream's 4xx: its own)
        ├── UpstreamFailed            502     api_error              upstream_error
        │   └── TokenExchangeRefused  502     api_error              copilot_token_exchange_failed
        ├── UpstreamUnavailable       503     api_error              upstream_unavailable
        └── UpstreamTimeout           504     api_error              upstream_timeout

`UpstreamError` is whatever the upstream failed at or refused: its other 4xx keep their
status, message and code. A rate limit or a spent quota is `RateLimited` or
`QuotaExhausted` wherever it was met (a key's limit here, or the upstream's): a client
does the same about either. The gateway tells its kinds apart by class; codes are for
clients.

Every module raises these (or `GatewayError` with an explicit status). Only the API
surface a request came in on turns one into bytes on the wire (its body shape, its error
`type` words, its stream error event): see `surfaces`.
"""

from __future__ import annotations

from collections.abc import Mapping


class GatewayError(Exception):
    """An error with everything any surface needs to answer it."""

    status = 500
    code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.headers = dict(headers or {})


class InvalidRequest(GatewayError):
    status = 400


class UnknownField(InvalidRequest):
    """A body's field its operation does not have: its name, and where it was (the param
    path of the object holding it, None at the top), for the surfaces that say it so
    (Google's "Unknown name "x" at 'y': Cannot find field.")."""

    def __init__(
        self, message: str, *, param: str | None = None, name: str = "", parent: str | None = None
    ) -> None:
        super().__init__(message, param=param)
        self.name = name
        self.parent = parent


class ContextTooLong(InvalidRequest):
    """A prompt longer than its model takes, found by the gateway or by the upstream. It
    carries the numbers where they are known, for the surfaces that say it in words their
    clients act on (Anthropic's: "prompt is too long: N tokens > M maximum", on which
    Claude Code compacts its context)."""

    code = "context_length_exceeded"

    def __init__(
        self,
        message: str,
        *,
        prompt_tokens: int | None = None,
        limit: int | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message, param=param)
        self.prompt_tokens = prompt_tokens
        self.limit = limit


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
    """A spending quota is used up: a 429 that retrying soon will not cure."""

    status = 429
    code = "insufficient_quota"


class InternalError(GatewayError):
    status = 500
    code = "internal_error"


class UpstreamError(GatewayError):
    """The upstream failed, or refused the request (then with its own status and code)."""

    status = 502


class UpstreamFailed(UpstreamError):
    status = 502
    code = "upstream_error"


class TokenExchangeRefused(UpstreamFailed):
    """The upstream would not give the gateway a token for its credentials: that account
    serves nothing until an operator acts (or the refusal passes)."""

    code = "copilot_token_exchange_failed"


class UpstreamUnavailable(UpstreamError):
    status = 503
    code = "upstream_unavailable"


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "upstream_timeout"
