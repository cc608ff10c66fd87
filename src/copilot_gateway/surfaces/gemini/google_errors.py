"""Google's error body: `google.rpc.Status` as its JSON APIs write it, `{"error": {code,
message, status}}`, with a `BadRequest` detail naming the field at fault, where one is."""

from __future__ import annotations

from typing import Any

import orjson

from ...errors import GatewayError, UnknownField
from ...spec.proto3_json import proto_name

# google.rpc.Code's names, by the HTTP status Google's JSON APIs answer each with.
STATUS_BY_HTTP = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    # Google answers these with a 400 (an oversized payload: "Request payload size exceeds
    # the limit"); the gateway keeps its status, and says it in Google's word for a 400.
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def status_word(status: int) -> str:
    if status in STATUS_BY_HTTP:
        return STATUS_BY_HTTP[status]
    return "UNAVAILABLE" if status >= 500 else "FAILED_PRECONDITION"


def error_body(error: GatewayError) -> dict[str, Any]:
    if isinstance(error, UnknownField):
        return unknown_field(error)
    inner: dict[str, Any] = {
        "code": error.status,
        "message": error.message,
        "status": status_word(error.status),
    }
    if error.param and error.status == 400:
        violation = {"field": error.param, "description": error.message}
        inner["details"] = [{"@type": BAD_REQUEST, "fieldViolations": [violation]}]
    return {"error": inner}


def unknown_field(error: UnknownField) -> dict[str, Any]:
    """As Google's parser refuses a name its message lacks: where it was is the object
    holding it (none at the top), by proto names (`tools[0].function_declarations[0]`), also
    the field violation's. (The path holds no map's key: every map below a message is open.)"""
    parent = proto_path(error.parent) if error.parent else None
    where = f" at '{parent}'" if parent else ""
    message = (
        f'Invalid JSON payload received. Unknown name "{error.name}"{where}: Cannot find field.'
    )
    violation = {"description": message}
    if parent:
        violation = {"field": parent, **violation}
    details = [{"@type": BAD_REQUEST, "fieldViolations": [violation]}]
    return {
        "error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT", "details": details}
    }


def proto_path(param: str) -> str:
    """`tools[0].functionDeclarations[0]` -> `tools[0].function_declarations[0]`"""
    return ".".join(proto_name(segment) for segment in param.split("."))


def array_error_element(error: GatewayError) -> bytes:
    """A JSON-array stream's failure: its last element, then the array's end."""
    return orjson.dumps(error_body(error))
