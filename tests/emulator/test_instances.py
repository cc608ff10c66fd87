"""Every emulated instance validates against its schema (jsonschema-rs, formats checked)."""

from __future__ import annotations

import datetime
import enum
from typing import Any, Literal

import jsonschema_rs
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from copilot_gateway.emulator.instances import MAX_CHARS, MAX_NODES, TooLarge, instance_of

PATTERNS = [
    r"^\d{5}$",
    r"^[A-Z]{2}-\d{3,5}[a-z]?$",
    r"^(ab|cd)+x$",
    r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    r"^#[0-9a-fA-F]{6}$",
    r"^\+?[1-9]\d{1,14}$",
    r"^[a-z][a-z0-9_]*$",
    r"v\d+\.\d+",
]
INT64 = st.integers(-(2**63), 2**63 - 1)
GROWING_PATTERNS = [r"^(ab|cd)+x$", r"^[a-z][a-z0-9_]*$", r"v\d+\.\d+"]
FORMATS = ["date-time", "date", "time", "email", "uri", "uuid", "ipv4", "ipv6", "hostname"]


def validates(schema: Any, instance: Any) -> bool:
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True).is_valid(instance)


def integers() -> st.SearchStrategy[dict]:
    def build(low: int | None, span: int | None, step: int | None, open_low: bool) -> dict:
        schema: dict[str, Any] = {"type": "integer"}
        if low is not None:
            schema["exclusiveMinimum" if open_low else "minimum"] = low
            if span is not None:
                schema["maximum"] = low + span + (step or 1) + 1
        if step is not None:
            schema["multipleOf"] = step
        return schema

    optional = st.none() | st.integers(-1000, 1000)
    return st.builds(
        build,
        optional,
        st.none() | st.integers(0, 50),
        st.none() | st.integers(1, 7),
        st.booleans(),
    )


def numbers() -> st.SearchStrategy[dict]:
    def build(low: float | None, span: float | None, step: float | None, open_: bool) -> dict:
        schema: dict[str, Any] = {"type": "number"}
        if low is not None:
            schema["exclusiveMinimum" if open_ else "minimum"] = low
            if span is not None:
                schema["exclusiveMaximum" if open_ else "maximum"] = low + span + (step or 1)
        if step is not None:
            schema["multipleOf"] = step
        return schema

    finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    return st.builds(
        build,
        st.none() | finite,
        st.none() | st.floats(0.5, 100),
        st.none() | st.sampled_from([0.5, 0.25, 2, 10]),
        st.booleans(),
    )


def strings() -> st.SearchStrategy[dict]:
    lengths = st.tuples(st.integers(0, 20), st.integers(0, 20)).map(sorted)
    plain = lengths.map(lambda b: {"type": "string", "minLength": b[0], "maxLength": b[1] + 9})
    return st.one_of(
        st.just({"type": "string"}),
        plain,
        st.sampled_from(FORMATS).map(lambda f: {"type": "string", "format": f}),
        st.sampled_from(PATTERNS).map(lambda p: {"type": "string", "pattern": p}),
        st.sampled_from(GROWING_PATTERNS).map(
            lambda p: {"type": "string", "pattern": p, "minLength": 8}
        ),
        st.lists(st.text(max_size=5), min_size=1, max_size=4, unique=True).map(
            lambda values: {"enum": values}
        ),
        # Integers as a request body can hold them: orjson reads wider ones as floats.
        st.one_of(INT64, st.text(max_size=4), st.none()).map(lambda v: {"const": v}),
    )


def leaves() -> st.SearchStrategy[dict]:
    return st.one_of(
        integers(),
        numbers(),
        strings(),
        st.just({"type": "boolean"}),
        st.just({"type": "null"}),
        st.just({}),
    )


NAMES = st.text("abcdefgh_", min_size=1, max_size=6)


def compounds(children: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    def obj(props: dict, required: list[bool], closed: bool) -> dict:
        names = list(props)
        schema: dict[str, Any] = {"type": "object", "properties": props}
        schema["required"] = [n for n, r in zip(names, required, strict=False) if r]
        if closed:
            schema["additionalProperties"] = False
        return schema

    def arr(items: dict, low: int, extra: int) -> dict:
        return {"type": "array", "items": items, "minItems": low, "maxItems": low + extra}

    def unique(items: dict, low: int) -> dict:
        return {"type": "array", "items": items, "minItems": low, "uniqueItems": True}

    def closed(props: dict, least: int, pattern_values: dict) -> dict:
        return {
            "type": "object",
            "properties": props,
            "patternProperties": {"^emulated": pattern_values},
            "minProperties": least,
            "additionalProperties": False,
        }

    def both(first: dict, second: dict) -> dict:
        parts = [{"type": "object", "properties": p, "required": list(p)} for p in (first, second)]
        return {"allOf": parts}

    return st.one_of(
        st.builds(
            obj,
            st.dictionaries(NAMES, children, max_size=5),
            st.lists(st.booleans(), max_size=5),
            st.booleans(),
        ),
        st.builds(arr, children, st.integers(0, 4), st.integers(0, 3)),
        # Items with many values: strings without a pattern, unbounded integers.
        st.builds(
            unique, st.sampled_from([{"type": "string"}, {"type": "integer"}]), st.integers(0, 5)
        ),
        st.builds(
            closed, st.dictionaries(NAMES, children, max_size=3), st.integers(0, 5), children
        ),
        st.builds(  # names apart, so that both parts can hold
            both,
            st.dictionaries(NAMES, children, max_size=3),
            st.dictionaries(NAMES.map("z{}".format), children, max_size=3),
        ),
        st.lists(children, min_size=1, max_size=3).map(
            lambda items: {"type": "array", "prefixItems": items, "items": False}
        ),
        st.lists(children, min_size=1, max_size=3).map(lambda b: {"anyOf": b}),
        children.map(lambda c: {"anyOf": [c, {"type": "null"}]}),
        # oneOf branches that no value meets twice: types apart.
        integers().map(lambda c: {"oneOf": [c, {"type": "string"}]}),
        children.map(lambda c: {"oneOf": [{"type": "array", "items": c}, {"type": "null"}]}),
        integers().map(lambda c: {"allOf": [c, {"type": "integer", "minimum": -5000}]}),
    )


SCHEMAS = st.recursive(leaves(), compounds, max_leaves=12)


def with_defs(schema: dict, shared: dict) -> dict:
    """The schema with a shared piece moved into $defs and reached by $ref, as pydantic does."""
    return {
        "$defs": {"Shared": shared},
        "type": "object",
        "properties": {"main": schema, "ref": {"$ref": "#/$defs/Shared"}},
        "required": ["main", "ref"],
    }


@settings(max_examples=300, deadline=None)
@given(SCHEMAS, st.text(max_size=8))
def test_every_instance_validates(schema: dict, seed: str) -> None:
    instance = instance_of(schema, seed)
    assert validates(schema, instance), (schema, instance)


@settings(max_examples=150, deadline=None)
@given(SCHEMAS, SCHEMAS)
def test_instances_through_refs_validate(schema: dict, shared: dict) -> None:
    full = with_defs(schema, shared)
    instance = instance_of(full)
    assert validates(full, instance), (full, instance)


@given(SCHEMAS)
@settings(max_examples=100, deadline=None)
def test_same_schema_same_instance(schema: dict) -> None:
    assert orjson.dumps(instance_of(schema, "s")) == orjson.dumps(instance_of(schema, "s"))


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Address(BaseModel):
    street: str
    city: str
    postcode: str = Field(pattern=r"^\d{5}$")


class Person(BaseModel):
    name: str
    age: int = Field(ge=18, le=130)
    born: datetime.date
    last_seen: datetime.datetime
    email: str | None = None
    favourite: Color
    home: Address
    previous: list[Address] = Field(min_length=2)
    kind: Literal["customer", "staff"]


def test_a_pydantic_model_with_nested_models_and_dates_round_trips() -> None:
    instance = instance_of(Person.model_json_schema())
    person = Person.model_validate(instance)
    assert person.home.postcode.isdigit() and len(person.previous) == 2
    assert person.born == datetime.date(2024, 1, 15) and person.age == 18
    assert instance["email"] == "emulated"  # optional fields are filled while room lasts


class Tree(BaseModel):
    label: str
    children: list[Tree] = []
    parent: Tree | None = None


def test_recursive_schemas_end() -> None:
    schema = Tree.model_json_schema()
    instance = instance_of(schema)
    Tree.model_validate(instance)
    assert validates(schema, instance)


def test_required_recursion_that_never_ends_is_too_large() -> None:
    loop: dict[str, Any] = {"type": "object", "properties": {"next": {"$ref": "#/$defs/Loop"}}}
    schema = {"$defs": {"Loop": loop}, "$ref": "#/$defs/Loop"}
    loop["required"] = ["next"]
    with pytest.raises(TooLarge):
        instance_of(schema)


def nested_arrays(depth: int, least: int) -> dict:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "array", "items": schema, "minItems": least}
    return schema


def test_the_16_to_the_5_schema_is_too_large_not_13_mib() -> None:
    """Issue #17: arrays of minItems 16 nested 5 deep made a 13.1 MiB answer."""
    with pytest.raises(TooLarge):
        instance_of(nested_arrays(5, 16))


def test_an_answer_within_bounds_stays_small() -> None:
    instance = instance_of(nested_arrays(2, 16))
    assert len(orjson.dumps(instance)) < 8 * 1024 and len(instance) == 16


def test_huge_string_minimums_are_too_large() -> None:
    with pytest.raises(TooLarge):
        instance_of({"type": "string", "minLength": MAX_CHARS + 1})
    with pytest.raises(TooLarge):
        instance_of({"type": "array", "items": {}, "minItems": MAX_NODES + 1})


def test_a_pattern_whose_match_is_huge_is_too_large() -> None:
    with pytest.raises(TooLarge):
        instance_of({"type": "string", "pattern": "(a{65536}){65536}"})


def test_draft4_exclusive_bounds_are_read() -> None:
    schema = {"type": "integer", "minimum": 3, "exclusiveMinimum": True}
    assert instance_of(schema) == 4
