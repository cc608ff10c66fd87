"""Google's `Schema` (OpenAPI 3.0's subset, types in capitals, 64-bit bounds as strings) as
the JSON Schema chat's tools and structured answers take."""

from __future__ import annotations

from typing import Any

from ...errors import InvalidRequest
from ...upstreams.base import Json

COPIED = ("format", "title", "description", "enum", "required", "pattern", "default", "example")
COPIED_NUMBERS = ("minimum", "maximum")
# 64-bit in the protos: sent as strings or numbers, JSON Schema wants numbers.
COUNTS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties")


def count(value: Any, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidRequest(f"{param}: '{value}' is not a count.", param=param) from None


def json_schema(schema: Any, param: str) -> Json:
    if not isinstance(schema, dict):
        return {}
    out: Json = {}
    kind = schema.get("type")
    if isinstance(kind, str) and kind not in ("", "TYPE_UNSPECIFIED"):
        out["type"] = kind.lower()
    out.update((key, schema[key]) for key in COPIED + COPIED_NUMBERS if key in schema)
    out.update((key, count(schema[key], f"{param}.{key}")) for key in COUNTS if key in schema)
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {
            name: json_schema(value, f"{param}.properties.{name}")
            for name, value in schema["properties"].items()
        }
    if "items" in schema:
        out["items"] = json_schema(schema["items"], f"{param}.items")
    if isinstance(schema.get("anyOf"), list):
        out["anyOf"] = [
            json_schema(branch, f"{param}.anyOf[{n}]") for n, branch in enumerate(schema["anyOf"])
        ]
    if schema.get("nullable") is True:
        out = {"anyOf": [out, {"type": "null"}]}
    return out
