#!/usr/bin/env python3
"""Derive openapi/anthropic.yaml from the pinned `anthropic` Python SDK's types.

The request bodies are the SDK's *beta* request TypedDicts (Claude Code sends fields only
they have: `context_management`, adaptive `thinking`, ...), less `betas` (the SDK sends it
as the `anthropic-beta` header), plus what the API documents and the types do not say (the
sampling settings, at least one message, a user message's content non-empty); the answers
are its response models. Each becomes JSON
Schema with pydantic's `TypeAdapter(...).json_schema()`, then OpenAPI 3.0.3 with the trim
script's conversion (connexion 3.3 loads only 3.0.x). Objects stay open to unknown fields:
clients move faster than any pinned SDK.

    scripts/derive_anthropic_spec.py            # rewrite openapi/anthropic.yaml
    scripts/derive_anthropic_spec.py --check    # exit 1 if the committed file is stale

Needs the `anthropic` package at the version pinned in pyproject's `test` extra.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "openapi" / "anthropic.yaml"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import anthropic  # noqa: E402
from anthropic import types  # noqa: E402
from anthropic.types import beta  # noqa: E402
from anthropic.types.beta import message_count_tokens_params, message_create_params  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402

from copilot_gateway.surfaces.anthropic.operations import OPERATIONS  # noqa: E402
from trim_spec import ADDED, convert_schema, render, write_or_check  # noqa: E402

REF = "#/components/schemas/{model}"
HEADER_ONLY = ("betas",)  # sent by the SDK as the anthropic-beta header, never in the body
# Sampling settings the Messages API documents (0.0 to 1.0 for both fractions) and clients
# send (LangChain, Anthropic's older SDKs), which the pinned SDK's types no longer carry.
SAMPLING = {
    "temperature": {"type": "number", "minimum": 0, "maximum": 1, **ADDED},
    "top_p": {"type": "number", "minimum": 0, "maximum": 1, **ADDED},
    "top_k": {"type": "integer", "minimum": 0, **ADDED},
}


def json_schema(kind: Any) -> tuple[dict, dict]:
    """(the schema of `kind`, the definitions it refers to), refs pointing at components."""
    schema = TypeAdapter(kind).json_schema(ref_template=REF)
    return schema, schema.pop("$defs", {})


def const_as_enum(node: Any) -> Any:
    """3.0 has no `const`: a one-value enum says the same."""
    if isinstance(node, list):
        return [const_as_enum(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: const_as_enum(value) if key != "default" else value for key, value in node.items()}
    if "const" in out:
        out["enum"] = [out.pop("const")]
    return out


def request_body(kind: Any, *, create: bool) -> tuple[dict, dict]:
    schema, definitions = json_schema(kind)
    properties = schema["properties"]
    for name in HEADER_ONLY:
        properties.pop(name, None)
    # The API refuses a request without a message (its types cannot say so).
    properties["messages"] = {**properties["messages"], "minItems": 1}
    if create:
        for name, sampling in SAMPLING.items():
            if name in properties:
                raise SystemExit(f"the SDK's request types now have {name}: derive it from them")
            properties[name] = sampling
        properties["stream"] = {"type": "boolean", "default": False, **ADDED}
    return schema, definitions


def error_response(schemas: dict) -> None:
    """The SDK's error body, and 413's `request_too_large`, which Anthropic documents."""
    schemas["RequestTooLargeErrorObject"] = {
        "type": "object",
        "required": ["message", "type"],
        "properties": {
            "message": {"type": "string"},
            "type": {"type": "string", "enum": ["request_too_large"]},
        },
        "additionalProperties": True,
        **ADDED,
    }
    branches = schemas["ErrorResponse"]["properties"]["error"]["anyOf"]
    branches.append({"$ref": "#/components/schemas/RequestTooLargeErrorObject"})


def nonempty_user_content(schemas: dict) -> None:
    """The API refuses a user message without content (only a final assistant message, a
    prefill, may be empty: the surface checks that rule, which no schema can state)."""
    for branch in schemas["BetaUserMessageParam"]["properties"]["content"]["anyOf"]:
        branch.update({"minLength": 1} if branch["type"] == "string" else {"minItems": 1})


def ping_event(schemas: dict) -> None:
    """Anthropic's streams carry `ping` events, which the SDK's event union leaves out."""
    schemas["PingEvent"] = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": ["ping"]}},
        "additionalProperties": True,
        **ADDED,
    }
    schemas["MessageStreamEvent"]["anyOf"].append({"$ref": "#/components/schemas/PingEvent"})


def derive() -> dict:
    roots: dict[str, tuple[dict, dict]] = {
        "CreateMessageRequest": request_body(
            message_create_params.MessageCreateParamsBase, create=True
        ),
        "CountMessageTokensRequest": request_body(
            message_count_tokens_params.MessageCountTokensParams, create=False
        ),
        "Message": json_schema(beta.BetaMessage),
        "MessageStreamEvent": json_schema(beta.BetaRawMessageStreamEvent),
        "MessageTokensCount": json_schema(beta.BetaMessageTokensCount),
        "ErrorResponse": json_schema(types.ErrorResponse),
    }
    schemas: dict[str, Any] = {}
    for name, (schema, definitions) in roots.items():
        for defined, definition in definitions.items():
            if schemas.setdefault(defined, definition) != definition:
                raise SystemExit(f"two different SDK types are both named {defined}")
        schemas[name] = schema
    schemas = {name: const_as_enum(convert_schema(schemas[name])) for name in sorted(schemas)}
    error_response(schemas)
    nonempty_user_content(schemas)
    ping_event(schemas)

    def answer(status: str, description: str, content: dict) -> dict:
        return {status: {"description": description, "content": content}}

    def ref(name: str) -> dict:
        return {"schema": {"$ref": f"#/components/schemas/{name}"}}

    errors = answer(
        "default", "An error, in Anthropic's shape.", {"application/json": ref("ErrorResponse")}
    )
    bodies = {
        "createMessage": (
            "CreateMessageRequest",
            answer(
                "200",
                "The message; with `stream: true`, its server-sent events.",
                {
                    "application/json": ref("Message"),
                    "text/event-stream": ref("MessageStreamEvent"),
                },
            ),
        ),
        "countMessageTokens": (
            "CountMessageTokensRequest",
            answer(
                "200",
                "The tokens the request would take.",
                {"application/json": ref("MessageTokensCount")},
            ),
        ),
    }
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        request, responses = bodies[op.operation_id]
        paths.setdefault(op.path, {})[op.method] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "requestBody": {"required": True, "content": {"application/json": ref(request)}},
            "responses": {**responses, **errors},
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "copilot-gateway (Anthropic Messages API subset)",
            "version": anthropic.__version__,
            "description": (
                "The Messages API operations copilot-gateway serves, derived from the types of "
                f"the anthropic Python SDK {anthropic.__version__} (beta request types, "
                "`betas` left to the anthropic-beta header, the documented sampling settings "
                "added) and converted to OpenAPI 3.0.3."
            ),
        },
        "servers": [{"url": "/v1"}],
        "security": [{"bearerAuth": []}, {"apiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A gateway key, as `Authorization: Bearer <key>`.",
                },
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-api-key",
                    "description": "A gateway key, as Anthropic's SDKs send it.",
                },
            },
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=TARGET)
    parser.add_argument("--check", action="store_true", help="fail if the target is stale")
    args = parser.parse_args()
    header = (
        "# Generated by scripts/derive_anthropic_spec.py from the anthropic SDK: do not edit.\n"
    )
    text = header + render(derive()).split("\n", 1)[1]
    return write_or_check(args.target, text, args.check, "scripts/derive_anthropic_spec.py")


if __name__ == "__main__":
    sys.exit(main())
