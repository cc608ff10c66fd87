#!/usr/bin/env python3
"""Derive openapi/gemini.yaml from Google's published Gemini API (v1beta) definitions.

The pinned `google-ai-generativelanguage` package holds the v1beta protos as message
descriptors, and their HTTP bindings (`google.api.http`) in its REST transports. Each
operation the Gemini surface serves (the one list of them is
`copilot_gateway.surfaces.gemini.operations`) is checked against its binding; its request
and answer messages, and every message they reach, become schemas by the proto3 JSON
mapping (lowerCamelCase names, enums by name, 64-bit integers as strings or numbers, bytes as
base64). A field the protos' documentation calls "Required." is required, but for the one
the path carries (`model`, `name`).

A message within itself (`Schema`'s properties) is any object there: the gateway's
validators take no recursive schema. Fields newer than the protos come from the pinned
`google-genai` SDK's types (`thinkingLevel` so far), and what the protos cannot say
(Google's error body, the `alt` parameter of a stream, the JSON-array stream, the key's
places), each marked `x-gateway-addition: true`. Objects stay open to unknown fields:
clients move faster than any pinned package.

    scripts/derive_gemini_spec.py            # rewrite openapi/gemini.yaml
    scripts/derive_gemini_spec.py --check    # exit 1 if the committed file is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "openapi" / "gemini.yaml"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from google.ai import generativelanguage as package  # noqa: E402
from google.ai import generativelanguage_v1beta as v1beta  # noqa: E402
from google.ai.generativelanguage_v1beta.services.generative_service.transports import (  # noqa: E402
    rest_base as generative_rest,
)
from google.ai.generativelanguage_v1beta.services.model_service.transports import (  # noqa: E402
    rest_base as model_rest,
)
from google.genai import types as genai_types  # noqa: E402
from google.genai import version as genai_version  # noqa: E402
from google.protobuf.descriptor import Descriptor, FieldDescriptor  # noqa: E402

from copilot_gateway.surfaces.gemini.operations import OPERATIONS  # noqa: E402
from trim_spec import ADDED, render, write_or_check  # noqa: E402

VERSION = "/v1beta"
REF = "#/components/schemas/"

# Each operation's RPC: its transport class, request message, answer message.
RPCS: dict[str, tuple[Any, str, str]] = {
    "generateContent": (
        generative_rest._BaseGenerativeServiceRestTransport._BaseGenerateContent,
        "GenerateContentRequest",
        "GenerateContentResponse",
    ),
    "streamGenerateContent": (
        generative_rest._BaseGenerativeServiceRestTransport._BaseStreamGenerateContent,
        "GenerateContentRequest",
        "GenerateContentResponse",
    ),
    "countTokens": (
        generative_rest._BaseGenerativeServiceRestTransport._BaseCountTokens,
        "CountTokensRequest",
        "CountTokensResponse",
    ),
    "embedContent": (
        generative_rest._BaseGenerativeServiceRestTransport._BaseEmbedContent,
        "EmbedContentRequest",
        "EmbedContentResponse",
    ),
    "batchEmbedContents": (
        generative_rest._BaseGenerativeServiceRestTransport._BaseBatchEmbedContents,
        "BatchEmbedContentsRequest",
        "BatchEmbedContentsResponse",
    ),
    "listGeminiModels": (
        model_rest._BaseModelServiceRestTransport._BaseListModels,
        "ListModelsRequest",
        "ListModelsResponse",
    ),
    "getGeminiModel": (
        model_rest._BaseModelServiceRestTransport._BaseGetModel,
        "GetModelRequest",
        "Model",
    ),
}

# The well-known types, as proto3's JSON mapping writes them.
WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?s$"},
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.FieldMask": {"type": "string"},
    "google.protobuf.Any": {"type": "object", "additionalProperties": True},
}
INTEGER = (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_UINT32)
LONG = (
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED64,
)
NUMBER = (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT)

# Fields newer than the protos, from google-genai's types: (message, field, genai type).
NEWER_FIELDS = (("ThinkingConfig", "thinkingLevel", genai_types.ThinkingConfig),)


def binding(operation_id: str) -> tuple[str, str]:
    """The (method, path under /v1beta) of an operation's first HTTP binding, `{model}`
    named as the binding's variable (`{model=models/*}` is `models/{model}`)."""
    transport, _, _ = RPCS[operation_id]
    option = transport._get_http_options()[0]
    uri = option["uri"].removeprefix(VERSION)
    return option["method"], re.sub(r"\{(\w+)=(\w+)/\*\}", r"\2/{\1}", uri)


def path_variables(operation_id: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", binding(operation_id)[1]))


def required_by_documentation(message: Any) -> set[str]:
    """The fields the message's documentation (the protos' comments) calls "Required."."""
    doc = message.__doc__ or ""
    return set(re.findall(r"^ {8}(\w+) \([^\n]*\):\n {12}Required\.", doc, re.MULTILINE))


def message_class(descriptor: Descriptor) -> Any:
    return getattr(v1beta, descriptor.name, None)


class Schemas:
    """The schemas of a set of messages and everything they reach, by simple name."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}
        self.full_names: dict[str, str] = {}
        self.path_bound: set[str] = set()  # fields a path carries: never required in a body
        self.building: list[str] = []  # the messages being made, outermost first

    def ref(self, descriptor: Descriptor) -> dict[str, Any]:
        if descriptor.full_name in WELL_KNOWN:
            return dict(WELL_KNOWN[descriptor.full_name])
        # A nested message is named with its parents (`FileSearch.RetrievalConfig` is
        # `FileSearchRetrievalConfig`), as google-genai names its types.
        name = descriptor.full_name.removeprefix(descriptor.file.package + ".").replace(".", "")
        known = self.full_names.setdefault(name, descriptor.full_name)
        if known != descriptor.full_name:
            raise SystemExit(f"two messages are both named {name}: {known}, {descriptor.full_name}")
        if name in self.building:
            # The gateway's validators take no recursive schema (connexion resolves every
            # reference in place): a message within itself (a `Schema`'s properties, items,
            # branches) is taken as any object there.
            return {"type": "object", "description": f"A {name}.", **ADDED}
        if name not in self.schemas:
            self.building.append(name)
            self.schemas[name] = self.message(descriptor)
            self.building.pop()
        return {"$ref": REF + name}

    def message(self, descriptor: Descriptor) -> dict[str, Any]:
        properties = {field.json_name: self.field(field) for field in descriptor.fields}
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        documented = message_class(descriptor)
        required = required_by_documentation(documented) if documented else set()
        names = sorted(
            field.json_name
            for field in descriptor.fields
            if field.name in required and field.name not in self.path_bound
        )
        if names:
            schema["required"] = names
        return schema

    def field(self, field: FieldDescriptor) -> dict[str, Any]:
        message = field.message_type
        if message is not None and message.GetOptions().map_entry:
            value = self.field(message.fields_by_name["value"])
            return {"type": "object", "additionalProperties": value}
        single = self.single(field)
        return {"type": "array", "items": single} if field.is_repeated else single

    def single(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None:
            return self.ref(field.message_type)
        if field.enum_type is not None:
            return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        if field.type == FieldDescriptor.TYPE_BOOL:
            return {"type": "boolean"}
        if field.type == FieldDescriptor.TYPE_STRING:
            return {"type": "string"}
        if field.type == FieldDescriptor.TYPE_BYTES:
            return {"type": "string", "format": "byte"}
        if field.type in INTEGER:
            return {"type": "integer", "format": "int32"}
        if field.type in NUMBER:
            return {"type": "number"}
        if field.type in LONG:
            # proto3 JSON writes 64-bit integers as strings, and reads numbers too.
            return {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?[0-9]+$"}]}
        raise SystemExit(f"{field.full_name}: no JSON mapping for proto type {field.type}")


def newer_fields(schemas: dict[str, Any]) -> None:
    """Fields clients send that the protos do not have yet, typed from google-genai."""
    for message, name, genai_type in NEWER_FIELDS:
        properties = schemas[message]["properties"]
        if name in properties:
            raise SystemExit(f"the protos now have {message}.{name}: drop it from NEWER_FIELDS")
        field = next(f for f in genai_type.model_fields.values() if f.alias == name)
        kind = next(a for a in getattr(field.annotation, "__args__", ()) if a is not type(None))
        properties[name] = {"type": "string", "enum": [member.value for member in kind], **ADDED}


def error_schemas(schemas: dict[str, Any]) -> None:
    """Google's error body: `google.rpc.Status` as its JSON APIs write it, with `status`."""
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "status"],
                "properties": {
                    "code": {"type": "integer"},
                    "message": {"type": "string"},
                    "status": {"type": "string"},
                    "details": {"type": "array", "items": {"type": "object"}},
                },
            }
        },
        **ADDED,
    }
    schemas["GenerateContentResponseArray"] = {
        "type": "array",
        "items": {"$ref": REF + "GenerateContentResponse"},
        **ADDED,
    }


def query_parameters(schemas: Schemas, request: str, operation_id: str) -> list[dict]:
    """A GET's request fields the path does not carry, as query parameters."""
    descriptor = getattr(v1beta, request).pb().DESCRIPTOR
    bound = path_variables(operation_id)
    return [
        {"name": field.json_name, "in": "query", "required": False, "schema": schemas.field(field)}
        for field in descriptor.fields
        if field.name not in bound
    ]


def derive() -> dict:
    made = Schemas()
    made.path_bound = {name for op in OPERATIONS for name in path_variables(op.operation_id)}
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        method, path = binding(op.operation_id)
        if (method, path) != (op.method, op.path):
            raise SystemExit(f"{op.operation_id}: the protos bind {method} {path}")
        _, request, answer = RPCS[op.operation_id]
        operation: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in sorted(path_variables(op.operation_id))
        ]
        if method == "get":
            parameters += query_parameters(made, request, op.operation_id)
        else:
            made.ref(getattr(v1beta, request).pb().DESCRIPTOR)
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": REF + request}}},
            }
        made.ref(getattr(v1beta, answer).pb().DESCRIPTOR)
        content: dict[str, Any] = {"application/json": {"schema": {"$ref": REF + answer}}}
        if op.operation_id == "streamGenerateContent":
            parameters.append(
                {
                    "name": "alt",
                    "in": "query",
                    "required": False,
                    "description": "`sse` for server-sent events; else one JSON array.",
                    "schema": {"type": "string", "enum": ["json", "sse"], "default": "json"},
                    **ADDED,
                }
            )
            content = {
                "text/event-stream": {"schema": {"$ref": REF + answer}},
                "application/json": {"schema": {"$ref": REF + "GenerateContentResponseArray"}},
            }
        operation["parameters"] = parameters
        operation["responses"] = {
            "200": {"description": "The answer.", "content": content},
            "default": {
                "description": "An error, in Google's shape.",
                "content": {"application/json": {"schema": {"$ref": REF + "Error"}}},
            },
        }
        item = paths.setdefault(op.path, {})
        if op.servers != (VERSION,):
            item["servers"] = [{"url": server} for server in op.servers]
        item[op.method] = operation
    schemas = {name: made.schemas[name] for name in sorted(made.schemas)}
    newer_fields(schemas)
    error_schemas(schemas)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "copilot-gateway (Gemini API subset)",
            "version": package.__version__,
            "description": (
                "The Gemini API (v1beta) operations copilot-gateway serves, derived from the "
                f"protos of google-ai-generativelanguage {package.__version__} and their HTTP "
                "bindings; fields newer than them from google-genai "
                f"{genai_version.__version__}."
            ),
        },
        "servers": [{"url": VERSION}],
        "security": [{"apiKeyHeader": []}, {"apiKeyQuery": []}, {"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apiKeyHeader": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-goog-api-key",
                    "description": "A gateway key, as Google's SDKs and Gemini CLI send it.",
                    **ADDED,
                },
                "apiKeyQuery": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "key",
                    "description": "A gateway key, as `?key=<key>`.",
                    **ADDED,
                },
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A gateway key, as `Authorization: Bearer <key>`.",
                    **ADDED,
                },
            },
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=TARGET)
    parser.add_argument("--check", action="store_true", help="fail if the target is stale")
    args = parser.parse_args()
    header = "# Generated by scripts/derive_gemini_spec.py from Google's protos: do not edit.\n"
    text = header + render(derive()).split("\n", 1)[1]
    return write_or_check(args.target, text, args.check, "scripts/derive_gemini_spec.py")


if __name__ == "__main__":
    sys.exit(main())
