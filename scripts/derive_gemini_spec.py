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

Messages are closed, as Google's parser is (an unknown name is a 400 there), and take each
field by its proto name too (`generation_config`: the root says `x-gateway-json-names:
proto3`, and the gateway renames such bodies before validating them: `spec.proto3_json`).
A message within itself (`Schema`'s properties) is any object there, naming the message it
is: the gateway's validators take no recursive schema.

Fields newer than the protos come from the pinned `google-genai` SDK's types: every field
of a message a request holds that google-genai's type of the same name has and the protos
lack, and the config fields the SDK sends at a request's top (`serviceTier`, `store`...),
so that what the SDK sends is never refused as unknown. They, and what the protos cannot
say (Google's error body, the `alt` parameter of a stream, the JSON-array stream, the key's
places), are each marked `x-gateway-addition: true`.

    scripts/derive_gemini_spec.py            # rewrite openapi/gemini.yaml
    scripts/derive_gemini_spec.py --check    # exit 1 if the committed file is stale
"""

from __future__ import annotations

import argparse
import enum
import inspect
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "openapi" / "gemini.yaml"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import pydantic  # noqa: E402
from google.ai import generativelanguage as package  # noqa: E402
from google.ai import generativelanguage_v1beta as v1beta  # noqa: E402
from google.ai.generativelanguage_v1beta.services.generative_service.transports import (  # noqa: E402
    rest_base as generative_rest,
)
from google.ai.generativelanguage_v1beta.services.model_service.transports import (  # noqa: E402
    rest_base as model_rest,
)
from google.genai import models as genai_models  # noqa: E402
from google.genai import types as genai_types  # noqa: E402
from google.genai import version as genai_version  # noqa: E402
from google.protobuf.descriptor import Descriptor, FieldDescriptor  # noqa: E402

from copilot_gateway.spec.proto3_json import RECURSIVE, ROOT_MARK, proto_name  # noqa: E402
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
BASE64 = r"^[A-Za-z0-9+/_-]*={0,2}$"


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
            # branches) is taken as any object there, which says what it is for the
            # gateway's renaming of proto names (`spec.proto3_json`).
            return {"type": "object", "description": f"A {name}.", RECURSIVE: name, **ADDED}
        if name not in self.schemas:
            self.building.append(name)
            self.schemas[name] = self.message(descriptor)
            self.building.pop()
        return {"$ref": REF + name}

    def message(self, descriptor: Descriptor) -> dict[str, Any]:
        for field in descriptor.fields:
            # (The package names a field `type_` where the protos name it `type`.)
            if proto_name(field.json_name) != field.name.removesuffix("_"):
                # The gateway takes a proto name for the JSON name it makes back this way.
                raise SystemExit(f"{field.full_name}: JSON name {field.json_name} is not its own")
        properties = {field.json_name: self.field(field) for field in descriptor.fields}
        # Closed, as Google's parser is: an unknown name is a 400, never silently dropped.
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
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
            # Base64, standard or URL-safe, padded or not: proto3 JSON reads all four (Gemini
            # CLI signs its own calls `skip_thought_signature_validator`, URL-safe).
            return {"type": "string", "pattern": BASE64}
        if field.type in INTEGER:
            return {"type": "integer", "format": "int32"}
        if field.type in NUMBER:
            return {"type": "number"}
        if field.type in LONG:
            # proto3 JSON writes 64-bit integers as strings, and reads numbers too.
            return {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?[0-9]+$"}]}
        raise SystemExit(f"{field.full_name}: no JSON mapping for proto type {field.type}")


def reached(schemas: dict[str, Any], roots: list[str]) -> set[str]:
    """The messages the roots hold, at any depth."""
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            text = repr(schemas[name])
            pending += re.findall(re.escape(REF) + r"(\w+)", text)
    return seen


def genai_schema(annotation: Any, schemas: dict[str, Any], within: str) -> dict[str, Any]:
    """A google-genai field's type, on the message `within`, as a schema: its message by
    reference where the protos have one of that name (as any object where that would hold
    `within` again: see `Schemas.ref`), else any object (its fields are the SDK's)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in args if arg is not type(None)]
        return genai_schema(options[0], schemas, within) if len(options) == 1 else {}
    if origin is list:
        return {"type": "array", "items": genai_schema(args[0], schemas, within)}
    if origin is dict:
        return {"type": "object", "additionalProperties": genai_schema(args[1], schemas, within)}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {"type": "string", "enum": [member.value for member in annotation]}
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        name = annotation.__name__
        if name not in schemas:
            return {"type": "object"}
        if within in reached(schemas, [name]):
            return {"type": "object", "description": f"A {name}.", RECURSIVE: name}
        return {"$ref": REF + name}
    return dict(GENAI_SCALARS.get(annotation, {}))


# The google-genai types named otherwise than the protos' messages they send.
GENAI_NAMES = {
    "ToolComputerUse": "ComputerUse",
    "ToolGoogleSearch": "GoogleSearch",
    "CodeExecution": "ToolCodeExecution",
}
# The messages a request holds that google-genai has no type for (it builds them itself).
WITHOUT_GENAI_TYPE = {"FileSearchRetrievalConfig", "FileSearchRetrievalResource"}
GENAI_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
}


def genai_fields(genai_type: Any) -> dict[str, Any]:
    """A google-genai type's fields, by the names it sends them by."""
    return {field.alias or name: field for name, field in genai_type.model_fields.items()}


def config_fields_sent_on_top() -> list[str]:
    """The `GenerateContentConfig` fields google-genai sends beside `contents` (the SDK
    flattens them into one config), as its Gemini API converter writes them."""
    source = inspect.getsource(genai_models._GenerateContentConfig_to_mldev)
    names = re.findall(r"setv\(\s*parent_object,\s*\['(\w+)'\]", source)
    if not names:
        raise SystemExit("google-genai's converter no longer names its top-level fields")
    return sorted(set(names))


def newer_fields(schemas: dict[str, Any], requests: list[str]) -> None:
    """Fields google-genai sends that the protos do not have yet, each typed from the SDK's
    types and marked ours: every field of a message a request holds, where google-genai has
    a type of the same name, and the config fields it sends at a request's top."""
    for name in sorted(reached(schemas, requests)):
        genai_type = getattr(genai_types, GENAI_NAMES.get(name, name), None)
        if genai_type is None or not hasattr(genai_type, "model_fields"):
            if name not in requests and name not in WITHOUT_GENAI_TYPE:
                raise SystemExit(f"{name}: no google-genai type of that name (GENAI_NAMES?)")
            continue
        add_fields(schemas, name, genai_fields(genai_type))
    config = genai_fields(genai_types.GenerateContentConfig)
    add_fields(
        schemas,
        "GenerateContentRequest",
        {name: config[name] for name in config_fields_sent_on_top()},
    )


def add_fields(schemas: dict[str, Any], message: str, fields: dict[str, Any]) -> None:
    properties = schemas[message]["properties"]
    for name, field in sorted(fields.items()):
        if name not in properties:
            properties[name] = {**genai_schema(field.annotation, schemas, message), **ADDED}


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
    parameters = [
        {"name": field.json_name, "in": "query", "required": False, "schema": schemas.field(field)}
        for field in descriptor.fields
        if field.name not in bound
    ]
    for parameter in parameters:
        if parameter["name"] == "pageSize":
            # A negative size is an error, as every Google list method says (AIP-158).
            parameter["schema"]["minimum"] = 0
    return parameters


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
    newer_fields(schemas, [RPCS[op.operation_id][1] for op in OPERATIONS if op.method == "post"])
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
        ROOT_MARK: "proto3",
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
