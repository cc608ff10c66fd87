"""Compiled JSON Schema validators (jsonschema-rs) for the spec's OpenAPI 3.0 schemas.

connexion validates with python-jsonschema, which costs milliseconds per chat request and
grows with every message. The same schemas, compiled once with jsonschema-rs, validate in
microseconds.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs

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


_compiled: dict[int, tuple[dict, jsonschema_rs.Draft4Validator]] = {}


def compiled(schema: dict) -> jsonschema_rs.Draft4Validator:
    """One compiled validator per schema object for the life of the app."""
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
