"""An instance of a JSON Schema, valid by construction, deterministic and bounded.

Reads what the chat APIs accept in `response_format.json_schema` and in tool parameters:
`type` (and type lists), objects (`properties`, `required`, `additionalProperties`,
`patternProperties`, `min/maxProperties`), arrays (`items`, `prefixItems` and tuple `items`,
`min/maxItems`, `uniqueItems`), `$ref` into the same document (`$defs`, `definitions`,
recursion included), `anyOf`/`oneOf`/`allOf`, `enum`, `const`, strings (`format`,
`pattern`, lengths) and numbers (bounds, exclusive bounds, `multipleOf`).

Believable rather than minimal: optional properties are filled and arrays get one item while
the answer is small and shallow; past that only what the schema requires is generated. The
whole instance is bounded (`MAX_NODES` values, `MAX_CHARS` string characters, `MAX_DEPTH`
nesting): a schema whose minimums do not fit raises `TooLarge`, never a giant answer.
What it cannot read (an unknown keyword, a foreign `$ref`) it treats as "anything".
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson

from .all_of import join
from .bounds import (
    MAX_CHARS,
    MAX_DEPTH,
    MAX_NODES,
    ROOMY_DEPTH,
    ROOMY_NODES,
    TooLarge,
    Unsatisfiable,
)
from .numbers import number
from .patterns import TooLong, Unmatchable, string_matching

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_NODES", "TooLarge", "Unsatisfiable", "instance_of"]

TEXT = "emulated"
FORMATS = {
    "date-time": "2024-01-15T09:30:00Z",
    "date": "2024-01-15",
    "time": "09:30:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri": "https://example.com/",
    "iri-reference": "https://example.com/",
    "uri-template": "https://example.com/{id}",
    "json-pointer": "/emulated",
    "relative-json-pointer": "0",
    "regex": "^emulated$",
}
# Formats whose value can be lengthened and stay valid: where the padding goes.
PADDABLE = {"email": "@", "idn-email": "@", "uri": None, "iri": None, "uri-reference": None}


def instance_of(schema: Any, seed: str = "") -> Any:
    """An instance of schema; `seed` varies what the schema leaves free (uuids, say)."""
    try:
        return _Builder(schema, seed).build(schema, 0, 0)
    except RecursionError as error:  # combinators nested past Python's stack
        raise TooLarge("the schema nests too deeply") from error
    except (TypeError, KeyError, IndexError, AttributeError) as error:
        # A known keyword with a value of the wrong shape (`"required": true`, say).
        raise Unsatisfiable(f"the schema is not valid JSON Schema ({error})") from error


class _Builder:
    def __init__(self, root: Any, seed: str) -> None:
        self.root = root
        self.seed = seed
        self.nodes = 0
        self.chars = 0

    @property
    def roomy(self) -> bool:
        return self.nodes < ROOMY_NODES

    def spend(self, nodes: int = 1, chars: int = 0) -> None:
        self.nodes += nodes
        self.chars += chars
        if self.nodes > MAX_NODES or self.chars > MAX_CHARS:
            raise TooLarge(
                f"the schema asks for more than {MAX_NODES} values or {MAX_CHARS} characters"
            )

    def build(self, schema: Any, depth: int, variant: int) -> Any:
        if depth > MAX_DEPTH:
            raise TooLarge(f"the schema nests deeper than {MAX_DEPTH} levels")
        if schema is True or not isinstance(schema, dict):
            return self.anything(depth)
        if schema is False:
            raise Unsatisfiable("false schema")
        schema = self.resolve(schema, depth)
        if "const" in schema:
            self.spend()
            return schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            self.spend()
            return enum[variant % len(enum)]
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            value = self.build(merged(self, schema, depth), depth, variant)
            # Merging reads most keywords, not all: what it missed is checked here.
            if not all(matches(self.root, part, value) for part in schema["allOf"]):
                raise Unsatisfiable("allOf: no value meets every part")
            return value
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                rest = {k: v for k, v in schema.items() if k != keyword}
                return self.first_branch(rest, branches, keyword == "oneOf", depth, variant)
        kind = self.kind_of(schema, depth)
        if kind == "object":
            return self.object(schema, depth, variant)
        if kind == "array":
            return self.array(schema, depth, variant)
        if kind == "string":
            return self.string(schema, variant)
        if kind in ("integer", "number"):
            self.spend()
            return number(schema, kind == "integer", variant)
        self.spend()
        return {"boolean": variant % 2 == 1, "null": None}.get(kind)

    def anything(self, depth: int) -> Any:
        self.spend()
        return {}

    def resolve(self, schema: dict, depth: int) -> dict:
        """Follow `$ref`s; sibling keywords (allowed since 2019-09) join the target's."""
        for _ in range(MAX_DEPTH):
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema
            target = pointer(self.root, ref)
            if target is False:
                raise Unsatisfiable("false schema")
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            if not isinstance(target, dict):
                return rest
            schema = {"allOf": [target, rest]} if has_constraints(rest) else target
        raise TooLarge("the schema's $refs go round in a circle")

    def first_branch(
        self, rest: dict, branches: list, exclusive: bool, depth: int, variant: int
    ) -> Any:
        """The first branch that builds (`null` first when room is short), joined with rest."""
        order = list(range(len(branches)))
        if not self.roomy or depth >= ROOMY_DEPTH:
            order.sort(key=lambda i: not is_null_schema(branches[i]))
        failure: Exception = Unsatisfiable("no branch")
        for index in order:
            branch = branches[index]
            if has_constraints(rest):
                branch = {"allOf": [rest, branch]}
            nodes, chars = self.nodes, self.chars
            try:
                value = self.build(branch, depth, variant)
            except (Unsatisfiable, TooLarge) as error:
                self.nodes, self.chars, failure = nodes, chars, error
                continue
            if exclusive and any(
                matches(self.root, other, value) for i, other in enumerate(branches) if i != index
            ):
                self.nodes, self.chars = nodes, chars
                continue
            return value
        raise failure

    def kind_of(self, schema: dict, depth: int) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if isinstance(k, str)]
            if not kinds:
                return "object"
            if "null" in kinds and (not self.roomy or depth >= ROOMY_DEPTH or len(kinds) == 1):
                return "null"
            return next(k for k in kinds if k != "null")
        if isinstance(kind, str):
            return kind
        if any(k in schema for k in ("properties", "required", "additionalProperties")):
            return "object"
        if any(k in schema for k in ("items", "prefixItems", "minItems")):
            return "array"
        if any(k in schema for k in ("pattern", "format", "minLength", "maxLength")):
            return "string"
        if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
            return "number"
        return "object"

    def object(self, schema: dict, depth: int, variant: int) -> dict:
        self.spend()
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        wanted = list(dict.fromkeys(required))
        least = int_or(schema.get("minProperties"), 0)
        most = int_or(schema.get("maxProperties"), MAX_NODES)
        if self.roomy and depth < ROOMY_DEPTH:
            wanted += [name for name in properties if name not in wanted]
        wanted = wanted[: max(most, len(required))]
        extra = schema.get("additionalProperties", True)
        filler = 0
        while len(wanted) < least:
            filler += 1
            name = f"{TEXT}_{filler}"
            patterns = schema.get("patternProperties") or {}
            allowed = name in properties or any(search(p, name) for p in patterns)
            if not allowed and extra is False:
                raise Unsatisfiable("minProperties beyond the allowed properties")
            if name not in wanted:
                wanted.append(name)
        answer = {}
        for name in wanted:
            sub = self.property_schema(schema, properties, name, extra)
            self.spend(chars=len(name))
            answer[name] = self.build(sub, depth + 1, variant)
        return answer

    def property_schema(self, schema: dict, properties: dict, name: str, extra: Any) -> Any:
        """The schema a property's value must meet: its own, and any matching patterns."""
        own = properties.get(name)
        patterned = [
            sub
            for pattern, sub in (schema.get("patternProperties") or {}).items()
            if search(pattern, name)
        ]
        if own is None and not patterned:
            own = extra if isinstance(extra, dict) else True
        parts = [s for s in [own, *patterned] if s is not None]
        return parts[0] if len(parts) == 1 else {"allOf": parts}

    def array(self, schema: dict, depth: int, variant: int) -> list:
        self.spend()
        prefix = schema.get("prefixItems")
        items = schema.get("items", True)
        if isinstance(items, list):  # the older tuple form
            prefix, items = items, schema.get("additionalItems", True)
        prefix = prefix if isinstance(prefix, list) else []
        least = int_or(schema.get("minItems"), 0)
        most = int_or(schema.get("maxItems"), MAX_NODES)
        count = least
        if self.roomy and depth < ROOMY_DEPTH and items is not False:
            count = max(count, 1)
        count = max(count, min(len(prefix), most)) if self.roomy else count
        count = min(count, most)
        if least > MAX_NODES:
            raise TooLarge(f"the schema asks for arrays of {least} items")
        if count > len(prefix) and items is False:
            raise Unsatisfiable("minItems beyond the tuple")
        if schema.get("uniqueItems") is True:
            return self.distinct_items(prefix, items, count, depth)
        return [
            self.build(prefix[i] if i < len(prefix) else items, depth + 1, i) for i in range(count)
        ]

    def distinct_items(self, prefix: list, items: Any, count: int, depth: int) -> list:
        """Items told apart by their variant; a few more variants tried on a clash."""
        values: list = []
        seen: set[bytes] = set()
        for i in range(count):
            schema = prefix[i] if i < len(prefix) else items
            for variant in range(i, i + 4 * count + 1, count or 1):
                value = self.build(schema, depth + 1, variant)
                key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
                if key not in seen:
                    break
            else:
                raise Unsatisfiable("uniqueItems: the item schema has too few values")
            seen.add(key)
            values.append(value)
        return values

    def string(self, schema: dict, variant: int) -> str:
        least = int_or(schema.get("minLength"), 0)
        most = int_or(schema.get("maxLength"), MAX_CHARS)
        if least > MAX_CHARS:
            raise TooLarge(f"the schema asks for strings of {least} characters")
        text = self.formatted(schema.get("format"), variant)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            text = patterned(pattern, least, most)
        elif text is None:
            text = TEXT if variant == 0 else f"{TEXT} {variant}"
        if len(text) < least:
            text = padded(text, schema.get("format"), least)
        if len(text) > most and not isinstance(pattern, str):
            if schema.get("format") in FORMATS or schema.get("format") == "uuid":
                raise Unsatisfiable("the format's value is longer than maxLength")
            text = text[:most]
        self.spend(chars=len(text))
        return text

    def formatted(self, form: Any, variant: int) -> str | None:
        if form == "uuid":
            digest = hashlib.sha256(f"{self.seed}:{self.nodes}".encode()).digest()
            return str(uuid.UUID(bytes=digest[:16], version=4))
        text = FORMATS.get(form) if isinstance(form, str) else None
        if text is not None and variant and form in ("date", "date-time"):
            day = 15 + variant % 14
            return text.replace("-15", f"-{day:02d}", 1)
        return text


def merged(builder: _Builder, schema: dict, depth: int) -> dict:
    """One schema meaning all of allOf's: keywords joined, bounds tightened, lists met."""
    out = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        if part is False:
            raise Unsatisfiable("false schema")
        if not isinstance(part, dict):
            continue
        part = builder.resolve(part, depth)
        if isinstance(part.get("allOf"), list):
            part = merged(builder, part, depth)
        for key, value in part.items():
            out[key] = value if key not in out else join(key, out[key], value)
    return out


def patterned(pattern: str, least: int, most: int) -> str:
    """A match of pattern within the length bounds, repeats lengthened as needed."""
    for extra in (0, 1, 2, 4, 8, 16, 32, 64):
        try:
            text = string_matching(pattern, extra)
        except TooLong as error:
            raise TooLarge(str(error)) from error
        except Unmatchable as error:
            raise Unsatisfiable(f"pattern {pattern!r}") from error
        if len(text) > most:
            break
        if len(text) >= least:
            return text
    raise Unsatisfiable(f"pattern {pattern!r} within the length bounds")


def padded(text: str, form: Any, least: int) -> str:
    """Lengthen a string to `least` characters, in a place its format allows."""
    missing = least - len(text)
    if form in PADDABLE:
        at = PADDABLE[form]
        if at is None:
            return text + "x" * missing
        return text.replace(at, "x" * missing + at, 1)
    if form in FORMATS or form == "uuid":
        return text
    return text + "x" * missing


def pointer(root: Any, ref: str) -> Any:
    """The schema a local `$ref` points at; `True` (anything) for what it cannot find."""
    if not ref.startswith("#"):
        return True
    node = root
    for part in ref[1:].split("/")[1:] if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return True
    return node


def matches(root: Any, schema: Any, value: Any) -> bool:
    """Whether value meets schema (for oneOf): the gateway's validator, refs against root."""
    import jsonschema_rs

    if not isinstance(schema, dict):
        return schema is not False
    standalone = dict(schema)
    if isinstance(root, dict):
        for key in ("$defs", "definitions"):
            if key in root and key not in standalone:
                standalone[key] = root[key]
    try:
        return bool(jsonschema_rs.validator_for(standalone).is_valid(value))
    except (ValueError, TypeError, OverflowError, jsonschema_rs.ValidationError):
        return False  # a part it cannot compile: not a match


def search(pattern: str, text: str) -> bool:
    import re

    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def has_constraints(schema: dict) -> bool:
    ignored = {"title", "description", "default", "examples", "$comment", "$schema", "$id"}
    ignored |= {"$defs", "definitions"}
    return any(key not in ignored for key in schema)


def is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def int_or(value: Any, default: int) -> int:
    readable = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if readable else default
