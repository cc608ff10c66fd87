from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copilot_gateway.emulator import generate


def test_pieces_rebuild_the_text() -> None:
    text = "Hello  there, general\nKenobi "
    assert "".join(generate.pieces(text)) == text


def test_embedding_is_a_unit_vector_fixed_by_the_text() -> None:
    first, again, other = (generate.embedding(t, 64) for t in ("a", "a", "b"))
    assert first == again and first != other
    assert abs(sum(v * v for v in first) - 1) < 1e-9


def test_max_tokens_cuts_and_reports_length() -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    (choice,) = generate.choices(body)
    assert choice.finish_reason == "length"
    assert generate.completion_tokens([choice], "gpt-4o") == 2


def test_negative_token_limit_gives_an_empty_cut_answer() -> None:
    """Found by schemathesis: a negative max_completion_tokens crashed the emulator."""
    body = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "max_completion_tokens": -5,
    }
    (choice,) = generate.choices(body)
    assert (choice.content, choice.finish_reason) == ("", "length")


@pytest.mark.parametrize(
    "schema",
    [
        {"type": {"weird": True}},
        {"type": "array", "items": [1, 2], "minItems": 3},
        {"properties": {"a": 5}},
        {"anyOf": []},
        {"enum": []},
        "not a schema",
    ],
)
def test_unreadable_tool_schemas_still_give_json_arguments(schema: object) -> None:
    """Tool parameters are free-form: the emulator must never fail on them (schemathesis)."""
    orjson.dumps(generate.arguments_for(schema, ""))


KEYWORDS = st.sampled_from(
    [
        "type",
        "properties",
        "items",
        "anyOf",
        "oneOf",
        "allOf",
        "$ref",
        "enum",
        "const",
        "minItems",
        "maxItems",
        "minLength",
        "pattern",
        "format",
        "minimum",
        "multipleOf",
        "required",
        "additionalProperties",
        "prefixItems",
        "uniqueItems",
        "$defs",
        "a",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.sampled_from(["object", "array", "string", "integer", "#/$defs/a", "#", "^a+$", "x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYWORDS, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_any_json_as_a_schema_gives_json_or_a_refusal(schema: object) -> None:
    """Whatever a client sends as a schema, the emulator answers JSON or Copilot's 400."""
    tool = {"type": "function", "function": {"name": "f", "parameters": schema}}
    for extra in (
        {"response_format": {"type": "json_schema", "json_schema": {"schema": schema}}},
        {"tools": [tool], "tool_choice": "required"},
    ):
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "f"}], **extra}
        try:
            (choice,) = generate.choices(body)
        except generate.Refused:
            continue
        orjson.loads(choice.content or choice.tool_calls[0]["function"]["arguments"])
