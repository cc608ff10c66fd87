"""A body as Google's JSON mapping of protocol buffers reads it, for a document whose root
says `x-gateway-json-names: proto3` (the Gemini surface's): made canonical before it is
validated, so that its handlers read one form.

- Each field is taken by its JSON name (`generationConfig`) or by its proto name
  (`generation_config`, as Google's REST samples write it and the Python SDK sends
  `parameters_json_schema`): it is renamed to its JSON name. A field given by both names is
  refused, as it would be ambiguous.
- A whole number written as a float (`"topK": 40.0`, as the Python SDK sends a float-typed
  setting) is an integer where the field is one.

A message's fields are its schema's properties; its proto names are their snake_case forms
(the derive script checks that of every field). Struct and map values are the client's own
data: never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..errors import InvalidRequest
from .documents import load_spec
from .schemas import COMPONENTS, NAMED, param_path

ROOT_MARK = "x-gateway-json-names"
RECURSIVE = "x-gateway-recursive"  # on a message within itself: the message it is


@dataclass(frozen=True)
class Holds:
    """What a field holds, where messages are: one, a list of them, or a map of them."""

    kind: str  # "one", "list" or "map"
    inner: Holds | str  # "one": the message's name; else what each item holds


@dataclass
class Message:
    json_names: dict[str, str] = field(default_factory=dict)  # proto name -> JSON name
    holds: dict[str, Holds] = field(default_factory=dict)  # JSON name -> what it holds
    integers: set[str] = field(default_factory=set)  # JSON names of its integer fields


def proto_name(json_name: str) -> str:
    """`generationConfig` -> `generation_config`"""
    return re.sub(r"[A-Z]", lambda upper: "_" + upper.group(0).lower(), json_name)


def holds(schema: Any, messages: dict[str, Any]) -> Holds | None:
    if not isinstance(schema, dict):
        return None
    name = str(schema.get("$ref", "")).removeprefix(COMPONENTS) or schema.get(RECURSIVE)
    if isinstance(name, str) and name in messages:
        return Holds("one", name)
    for kind, key in (("list", "items"), ("map", "additionalProperties")):
        inner = holds(schema.get(key), messages)
        if inner is not None:
            return Holds(kind, inner)
    return None


@cache
def messages_of(document: str) -> dict[str, Message]:
    """The document's messages, if its root says its bodies take proto names; else none."""
    spec = load_spec(document)
    if spec.get(ROOT_MARK) != "proto3":
        return {}
    schemas = spec["components"]["schemas"]
    objects = {name: s for name, s in schemas.items() if isinstance(s.get("properties"), dict)}
    messages: dict[str, Message] = {}
    for name, schema in objects.items():
        message = messages[name] = Message()
        for json_name, property_schema in schema["properties"].items():
            if proto_name(json_name) != json_name:
                message.json_names[proto_name(json_name)] = json_name
            held = holds(property_schema, objects)
            if held is not None:
                message.holds[json_name] = held
            if property_schema.get("type") == "integer":
                message.integers.add(json_name)
    return messages


def canonical(schema: dict[str, Any], body: Any) -> Any:
    """body as such a document's handlers read it, if its schema is a message of one."""
    component = schema.get(NAMED)
    if not isinstance(component, str):
        return body
    document, _, name = component.partition("#")
    messages = messages_of(document)
    if name not in messages:
        return body
    return _message(messages, name, body, [])


def _message(messages: dict[str, Message], name: str, value: Any, path: list) -> Any:
    if not isinstance(value, dict):
        return value  # the validator refuses it, by its JSON name
    message = messages[name]
    out: dict[str, Any] = {}
    for key, item in value.items():
        json_name = str(message.json_names.get(key, key))
        if json_name in out:
            param = param_path([*path, json_name])
            raise InvalidRequest(
                f'Invalid JSON payload received. Field "{json_name}" is given twice, as '
                f'"{json_name}" and as "{proto_name(json_name)}".',
                param=param,
            )
        held = message.holds.get(json_name)
        if held is not None:
            item = _held(messages, held, item, [*path, json_name])
        elif json_name in message.integers and isinstance(item, float) and item.is_integer():
            item = int(item)
        out[json_name] = item
    return out


def _held(messages: dict[str, Message], held: Holds, value: Any, path: list) -> Any:
    inner = held.inner
    if isinstance(inner, str):  # "one": the message's name
        return _message(messages, inner, value, path)
    if held.kind == "list" and isinstance(value, list):
        return [_held(messages, inner, item, [*path, n]) for n, item in enumerate(value)]
    if held.kind == "map" and isinstance(value, dict):
        return {key: _held(messages, inner, item, [*path, key]) for key, item in value.items()}
    return value
