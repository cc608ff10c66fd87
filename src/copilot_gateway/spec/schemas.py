"""Compiled JSON Schema validators (jsonschema-rs) for the spec's OpenAPI 3.0 schemas.

connexion validates with python-jsonschema, which costs milliseconds per chat request and
grows with every message. The same schemas, compiled once with jsonschema-rs, validate in
microseconds.

A document's component schemas are compiled by name, their references kept: each document's
components are one resource of a registry, and a validator is a `$ref` into it. Compiled
from a resolved copy instead, every reference is inlined where it is used: the Responses
API's stream event holds the whole `Response` a dozen times, 60 MiB compiled, against 7.
A resolved schema that is a component carries its name under `NAMED` (see `named_refs`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema_rs

from .documents import load_spec

# On a schema: "<document>#<component>", the component it is (resolved or not).
NAMED = "x-gateway-schema"
COMPONENTS = "#/components/schemas/"

INTEGER_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def to_draft4(schema: Any) -> Any:
    """OpenAPI 3.0's dialect to plain Draft 4: `nullable` as a type, int formats as bounds."""
    if isinstance(schema, list):
        return [to_draft4(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        key: value if key in ("enum", "default", "example") else to_draft4(value)
        for key, value in schema.items()
        if key != "properties"
    }
    if isinstance(schema.get("properties"), dict):
        # A map of names to schemas, not a schema: a property may be named `type` or
        # `nullable` (Google's `Schema` has both).
        out["properties"] = {name: to_draft4(value) for name, value in schema["properties"].items()}
    if out.get("type") == "integer":
        # Every integer must fit in 64 bits, as every OpenAI-compatible backend needs; the
        # spec itself writes the int64 bounds as 9223372036854776000, a float's rounding.
        low, high = INTEGER_BOUNDS.get(out.get("format", ""), INTEGER_BOUNDS["int64"])
        out["minimum"] = max(out.get("minimum", low), low)
        out["maximum"] = min(out.get("maximum", high), high)
    if out.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def document_uri(document: str) -> str:
    return f"urn:copilot-gateway:{document}"


@cache
def _registry(document: str) -> jsonschema_rs.Registry:
    """The document's component schemas in Draft 4, as one resource."""
    schemas = load_spec(document)["components"]["schemas"]
    resource = {"components": {"schemas": {name: to_draft4(s) for name, s in schemas.items()}}}
    return jsonschema_rs.Registry([(document_uri(document), resource)], draft=jsonschema_rs.Draft4)


@cache
def named(document: str, name: str) -> jsonschema_rs.Draft4Validator:
    """The validator of one of the document's component schemas, compiled once."""
    reference = {"$ref": document_uri(document) + COMPONENTS + name}
    return jsonschema_rs.Draft4Validator(
        reference, registry=_registry(document), validate_formats=True
    )


def named_refs(spec: dict[str, Any]) -> Iterator[tuple[dict, str]]:
    """Each operation's request and answer schema that is a reference to a component, and
    that component's name."""
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            bodies = [operation.get("requestBody") or {}]
            bodies += list((operation.get("responses") or {}).values())
            for body in bodies:
                for content in (body.get("content") or {}).values():
                    schema = content.get("schema") if isinstance(content, dict) else None
                    if not isinstance(schema, dict):
                        continue
                    ref = str(schema.get("$ref", ""))
                    if ref.startswith(COMPONENTS):
                        yield schema, ref.removeprefix(COMPONENTS)


def compile_operations(document: str) -> None:
    """Compile now, not on first use, every request and answer schema the document's
    operations name (tens of milliseconds each, which a first request would wait for)."""
    for _, name in named_refs(load_spec(document)):
        named(document, name)


def naming_components(spec: dict[str, Any], document: str) -> dict[str, Any]:
    """A copy of `spec` whose operation schemas that are components say which (`NAMED`):
    connexion resolves each reference in place and keeps the name beside it, by which
    `compiled` finds the component's validator."""
    marked = {**spec, "paths": copy.deepcopy(spec["paths"])}
    for schema, name in named_refs(marked):
        schema[NAMED] = f"{document}#{name}"
    return marked


_compiled: dict[int, tuple[dict, jsonschema_rs.Draft4Validator]] = {}


def compiled(schema: dict) -> jsonschema_rs.Draft4Validator:
    """A named component's validator (see `NAMED`); else one compiled validator per schema
    object for the life of the app."""
    component = schema.get(NAMED)
    if isinstance(component, str):
        document, _, name = component.partition("#")
        return named(document, name)
    entry = _compiled.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = (schema, jsonschema_rs.Draft4Validator(to_draft4(schema), validate_formats=True))
        _compiled[id(schema)] = entry
    return entry[1]


def param_path(path: list[str | int]) -> str | None:
    """['messages', 0, 'role'] -> 'messages[0].role'"""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None
