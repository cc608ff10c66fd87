"""A Gemini body made canonical as Google's JSON mapping reads it: every field taken by its
proto name too (`generation_config`, as Google's REST samples write it) and renamed to its
JSON name, a whole float an integer where the field is one; the client's own data
(arguments, maps, schema property names) never touched."""

from __future__ import annotations

import pytest

from copilot_gateway.errors import InvalidRequest
from copilot_gateway.spec.proto3_json import canonical

GENERATE = {"x-gateway-schema": "gemini.yaml#GenerateContentRequest"}


def test_proto_names_become_json_names_at_every_depth() -> None:
    body = {
        "system_instruction": {"parts": [{"text": "Be brief."}]},
        "contents": [
            {"role": "user", "parts": [{"inline_data": {"mime_type": "image/png", "data": "AA"}}]}
        ],
        "generation_config": {
            "max_output_tokens": 5,
            "stop_sequences": ["x"],
            "thinking_config": {"thinking_budget": 0, "include_thoughts": True},
        },
        "tool_config": {"function_calling_config": {"mode": "ANY", "allowed_function_names": []}},
    }
    assert canonical(GENERATE, body) == {
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [
            {"role": "user", "parts": [{"inlineData": {"mimeType": "image/png", "data": "AA"}}]}
        ],
        "generationConfig": {
            "maxOutputTokens": 5,
            "stopSequences": ["x"],
            "thinkingConfig": {"thinkingBudget": 0, "includeThoughts": True},
        },
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": []}},
    }


def test_the_clients_own_data_keeps_its_names() -> None:
    schema = {
        "type": "OBJECT",
        "properties": {
            "city_name": {"type": "STRING", "max_length": "9"},
            "tags": {"type": "ARRAY", "items": {"any_of": [{"type": "STRING", "min_length": 1}]}},
        },
        "property_ordering": ["city_name", "tags"],
    }
    body = {
        "contents": [
            {
                "role": "model",
                "parts": [{"function_call": {"name": "f", "args": {"city_name": "Oslo"}}}],
            },
            {
                "role": "user",
                "parts": [{"function_response": {"name": "f", "response": {"max_temp": 3}}}],
            },
        ],
        "tools": [{"function_declarations": [{"name": "f", "parameters": schema}]}],
        "labels": {"team_name": "x"},
    }
    [declaration] = canonical(GENERATE, body)["tools"][0]["functionDeclarations"]
    # A schema's own fields are renamed at every depth, its property names never.
    assert declaration["parameters"] == {
        "type": "OBJECT",
        "properties": {
            "city_name": {"type": "STRING", "maxLength": "9"},
            "tags": {"type": "ARRAY", "items": {"anyOf": [{"type": "STRING", "minLength": 1}]}},
        },
        "propertyOrdering": ["city_name", "tags"],
    }
    contents = canonical(GENERATE, body)["contents"]
    assert contents[0]["parts"][0]["functionCall"]["args"] == {"city_name": "Oslo"}
    assert contents[1]["parts"][0]["functionResponse"]["response"] == {"max_temp": 3}
    assert canonical(GENERATE, body)["labels"] == {"team_name": "x"}


def test_a_field_given_by_both_names_is_refused_naming_it() -> None:
    body = {"contents": [], "generationConfig": {"topP": 1, "top_p": 0.5}}
    with pytest.raises(InvalidRequest) as refused:
        canonical(GENERATE, body)
    assert refused.value.param == "generationConfig.topP"
    assert '"topP" is given twice' in refused.value.message


def test_what_is_not_a_message_where_one_belongs_is_left_to_the_validator() -> None:
    bodies: list[object] = [None, [], "hi", {"contents": "hi"}, {"contents": [5, None]}]
    for body in bodies:
        assert canonical(GENERATE, body) == body


def test_other_documents_bodies_are_not_canonical() -> None:
    body = {"model": "m", "messages": [], "max_tokens": 5, "stream_options": {}}
    schema = {"x-gateway-schema": "openai.yaml#CreateChatCompletionRequest"}
    assert canonical(schema, body) is body
    assert canonical({"type": "object"}, {"generation_config": {}}) == {"generation_config": {}}


def test_a_whole_float_is_an_integer_where_the_field_is_one() -> None:
    body = {
        "contents": [],
        "generationConfig": {"topK": 40.0, "candidateCount": 1.0, "temperature": 1.0},
        "labels": {"run": 2.0},
    }
    config = canonical(GENERATE, body)["generationConfig"]
    assert config == {"topK": 40, "candidateCount": 1, "temperature": 1.0}
    assert type(config["topK"]) is int and type(config["temperature"]) is float
    assert canonical(GENERATE, {**body, "generationConfig": {"topK": 40.5}})[
        "generationConfig"
    ] == {
        "topK": 40.5  # refused by the validator, as Google refuses it
    }
