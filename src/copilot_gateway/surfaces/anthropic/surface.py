"""The Anthropic surface: its errors are `{"type": "error", "error": {type, message}}` with a
`request-id` header, its streams named events (`event: message_start` ...), ending with
`message_stop` or an `event: error`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import ContextTooLong, GatewayError
from ...observability.request_id import current_request_id
from ..base import Handler, Surface
from . import count_tokens, messages
from .operations import DOCUMENT, OPERATIONS

HANDLERS: dict[str, Handler] = {
    "createMessage": messages.createMessage,
    "countMessageTokens": count_tokens.countMessageTokens,
}

# Anthropic's error types by status, as its documentation lists them.
TYPE_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
# Anthropic says "overloaded" with 529; an unavailable upstream is that, to its clients
# (whose SDKs retry it).
STATUS_INSTEAD = {503: 529}


def status_of(error: GatewayError) -> int:
    return STATUS_INSTEAD.get(error.status, error.status)


def error_type(status: int) -> str:
    if status in TYPE_BY_STATUS:
        return TYPE_BY_STATUS[status]
    return "api_error" if status >= 500 else "invalid_request_error"


def prompt_too_long(error: ContextTooLong) -> str:
    """Anthropic's words for a prompt over the limit: Claude Code compacts its context when
    it reads them (and reads the numbers, where they are given)."""
    if error.prompt_tokens is None or error.limit is None:
        return f"prompt is too long: {error.message}"
    return f"prompt is too long: {error.prompt_tokens} tokens > {error.limit} maximum"


def error_body(error: GatewayError) -> dict[str, Any]:
    message = prompt_too_long(error) if isinstance(error, ContextTooLong) else error.message
    return {"type": "error", "error": {"type": error_type(status_of(error)), "message": message}}


class AnthropicSurface(Surface):
    name = "anthropic"
    document = DOCUMENT
    operations = OPERATIONS
    handlers = HANDLERS
    # A 404 or 405 under these paths is answered in Anthropic's shape too.
    path_prefixes = ("/v1/messages",)
    key_hint = "'x-api-key: <key>' (or 'Authorization: Bearer <key>')"

    def error_body(self, error: GatewayError) -> dict[str, Any]:
        return error_body(error)

    def error_status(self, error: GatewayError) -> int:
        return status_of(error)

    def error_headers(self, error: GatewayError) -> Mapping[str, str]:
        return {**error.headers, "request-id": current_request_id.get()}

    def stream_error_event(self, error: GatewayError) -> bytes:
        return self.sse_event(error_body(error), "error")


ANTHROPIC = AnthropicSurface()
