"""Compiled request validation: OpenAI-style messages and `param` paths."""

from __future__ import annotations

import pytest
from connexion.json_schema import resolve_refs

from copilot_gateway.errors import InvalidRequest
from copilot_gateway.spec.documents import load_spec
from copilot_gateway.spec.requests import first_error, parse_json
from copilot_gateway.spec.schemas import param_path, to_draft4
from copilot_gateway.surfaces.openai.surface import error_type


@pytest.fixture(scope="module")
def chat_schema() -> dict:
    spec = resolve_refs(load_spec("openai.yaml"))
    return spec["components"]["schemas"]["CreateChatCompletionRequest"]


def error_for(schema: dict, body: dict) -> InvalidRequest:
    error = first_error(schema, body)
    assert error is not None, "expected the body to be rejected"
    return error


def test_param_path_reads_like_openai() -> None:
    assert param_path(["messages", 0, "content", 2, "text"]) == "messages[0].content[2].text"
    assert param_path([]) is None


def test_nullable_becomes_a_null_type() -> None:
    assert to_draft4({"type": "string", "nullable": True})["type"] == ["string", "null"]


def test_every_integer_is_bounded_to_64_bits() -> None:
    schema = to_draft4({"type": "integer", "nullable": True, "maximum": 9223372036854776000})
    assert schema["type"] == ["integer", "null"]
    assert schema["maximum"] == 2**63 - 1 and schema["minimum"] == -(2**63)


def test_int64_format_becomes_bounds() -> None:
    schema = to_draft4({"type": "integer", "format": "int64"})
    assert schema["maximum"] == 2**63 - 1 and schema["minimum"] == -(2**63)


def test_valid_chat_request_passes(chat_schema: dict) -> None:
    body = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": None,
        "stop": None,
    }
    assert first_error(chat_schema, body) is None


def test_missing_messages_names_messages(chat_schema: dict) -> None:
    error = error_for(chat_schema, {"model": "gpt-4o"})
    assert error.param == "messages"
    assert error.message == "Missing required parameter: 'messages'."
    assert error.status == 400 and error_type(error) == "invalid_request_error"


def test_message_of_known_role_points_inside_it(chat_schema: dict) -> None:
    """The discriminating role picks the branch, so the error is the real one, not 'oneOf'."""
    error = error_for(chat_schema, {"model": "m", "messages": [{"role": "tool", "content": "x"}]})
    assert error.param == "messages[0].tool_call_id"


def test_unknown_role_is_reported_on_the_role_with_the_roles_accepted(chat_schema: dict) -> None:
    error = error_for(chat_schema, {"model": "m", "messages": [{"role": "robot", "content": "x"}]})
    assert error.param == "messages[0].role"
    for role in ("system", "developer", "user", "assistant", "tool", "function"):
        assert f'"{role}"' in error.message


def test_wrong_type_names_the_field_and_expected_type(chat_schema: dict) -> None:
    error = error_for(
        chat_schema,
        {"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": "hot"},
    )
    assert error.param == "temperature"
    assert "expected" in error.message and "number" in error.message


def test_out_of_range_value_is_rejected(chat_schema: dict) -> None:
    error = error_for(
        chat_schema,
        {"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 7},
    )
    assert error.param == "temperature"


def test_seed_beyond_int64_is_rejected(chat_schema: dict) -> None:
    error = error_for(
        chat_schema, {"model": "m", "messages": [{"role": "user", "content": "x"}], "seed": 10**20}
    )
    assert error.param == "seed"


def test_client_values_in_messages_are_shortened(chat_schema: dict) -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "x"}],
        "reasoning_effort": "x" * 5000,
    }
    assert len(error_for(chat_schema, body).message) < 400


def test_parse_json_refuses_nan_and_invalid_utf8() -> None:
    for raw in (b'{"a": NaN}', b'{"a": "\xff"}', b"{"):
        with pytest.raises(InvalidRequest):
            parse_json(raw, max_depth=64, max_values=100)
