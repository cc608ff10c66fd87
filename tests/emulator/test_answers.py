"""What the emulated model answers: tools, JSON mode, structured outputs, text cues, bounds."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema_rs
import pytest

pytestmark = pytest.mark.anyio

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
STOCKS = {
    "type": "function",
    "function": {
        "name": "stock_price",
        "description": "The latest price of a share",
        "parameters": {"type": "object", "properties": {"ticker": {"type": "string"}}},
    },
}
FINAL = {
    "type": "function",
    "function": {
        "name": "final_result",
        "description": "The final response which ends this conversation",
        "parameters": {
            "type": "object",
            "properties": {"summary": {"type": "string"}, "degrees": {"type": "integer"}},
            "required": ["summary", "degrees"],
        },
    },
}


async def chat(copilot: httpx.AsyncClient, messages: list[dict], **extra: Any) -> dict:
    response = await copilot.post(
        "/chat/completions", json={"model": "gpt-4o", "messages": messages, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]


def called(choice: dict) -> str | None:
    calls = choice["message"].get("tool_calls")
    return calls[0]["function"]["name"] if calls else None


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def after_call(question: str, choice: dict, result: str) -> list[dict]:
    call = choice["message"]["tool_calls"][0]
    return [
        *user(question),
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": result},
    ]


# Tools ----------------------------------------------------------------------------------


async def test_auto_calls_the_tool_the_prompt_names(copilot: httpx.AsyncClient) -> None:
    choice = await chat(copilot, user("What is the share price of ACME?"), tools=[WEATHER, STOCKS])
    assert called(choice) == "stock_price" and choice["finish_reason"] == "tool_calls"


async def test_auto_answers_in_text_when_no_tool_matches(copilot: httpx.AsyncClient) -> None:
    choice = await chat(
        copilot, user("Tell me a joke"), tools=[WEATHER, STOCKS], tool_choice="auto"
    )
    assert called(choice) is None and "Tell me a joke" in choice["message"]["content"]


async def test_auto_answers_in_text_after_the_tool_result(copilot: httpx.AsyncClient) -> None:
    question = "What is the weather in Paris?"
    first = await chat(copilot, user(question), tools=[WEATHER])
    assert called(first) == "get_weather"
    assert json.loads(first["message"]["tool_calls"][0]["function"]["arguments"]) == {
        "city": "emulated"
    }
    second = await chat(copilot, after_call(question, first, "sunny, 21C"), tools=[WEATHER])
    assert called(second) is None and second["finish_reason"] == "stop"
    assert "The tool said: sunny, 21C" in second["message"]["content"]


async def test_required_ends_with_the_output_tool(copilot: httpx.AsyncClient) -> None:
    """pydantic-ai's loop: [get_weather, final_result] under `required` must finish."""
    question = "What is the weather in Paris?"
    tools = [WEATHER, FINAL]
    first = await chat(copilot, user(question), tools=tools, tool_choice="required")
    assert called(first) == "get_weather"
    second = await chat(
        copilot, after_call(question, first, "sunny"), tools=tools, tool_choice="required"
    )
    assert called(second) == "final_result"
    arguments = json.loads(second["message"]["tool_calls"][0]["function"]["arguments"])
    assert set(arguments) == {"summary", "degrees"}


async def test_required_without_a_match_calls_the_output_tool(copilot: httpx.AsyncClient) -> None:
    choice = await chat(copilot, user("Hello"), tools=[WEATHER, FINAL], tool_choice="required")
    assert called(choice) == "final_result"


async def test_required_without_an_output_tool_moves_on_to_another_tool(
    copilot: httpx.AsyncClient,
) -> None:
    question = "Weather and share price, please"
    tools = [WEATHER, STOCKS]
    first = await chat(copilot, user(question), tools=tools, tool_choice="required")
    second = await chat(
        copilot, after_call(question, first, "done"), tools=tools, tool_choice="required"
    )
    assert {called(first), called(second)} == {"get_weather", "stock_price"}


async def test_none_never_calls_and_a_named_tool_is_always_called(
    copilot: httpx.AsyncClient,
) -> None:
    question = user("What is the weather in Paris?")
    assert called(await chat(copilot, question, tools=[WEATHER], tool_choice="none")) is None
    named = {"type": "function", "function": {"name": "stock_price"}}
    assert called(await chat(copilot, question, tools=[WEATHER, STOCKS], tool_choice=named)) == (
        "stock_price"
    )


# JSON mode ------------------------------------------------------------------------------

JSON_MODE = {"response_format": {"type": "json_object"}}


async def json_reply(copilot: httpx.AsyncClient, messages: list[dict]) -> Any:
    return json.loads((await chat(copilot, messages, **JSON_MODE))["message"]["content"])


@pytest.mark.parametrize(
    ("prompt", "keys"),
    [
        ("Describe a person as JSON with keys name and age.", ["name", "age"]),
        ("Return JSON. Keys: city, country, population", ["city", "country", "population"]),
        ('Give JSON with fields "title" and "year"', ["title", "year"]),
    ],
)
async def test_json_mode_has_the_keys_the_prompt_names(
    copilot: httpx.AsyncClient, prompt: str, keys: list[str]
) -> None:
    assert list(await json_reply(copilot, user(prompt))) == keys


async def test_json_mode_follows_an_example_object(copilot: httpx.AsyncClient) -> None:
    prompt = 'Answer like {"name": "Ann", "age": 30, "tags": ["a"]} about Bob'
    assert await json_reply(copilot, user(prompt)) == {"name": "Ann", "age": 30, "tags": ["a"]}


async def test_json_mode_fills_a_schema_in_the_system_prompt(copilot: httpx.AsyncClient) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 18}},
        "required": ["name", "age"],
    }
    system = {"role": "system", "content": f"Answer with JSON matching {json.dumps(schema)}"}
    reply = await json_reply(copilot, [system, *user("Ann is 30")])
    assert jsonschema_rs.validator_for(schema).is_valid(reply) and reply["age"] == 18


async def test_json_mode_without_cues_is_still_an_object(copilot: httpx.AsyncClient) -> None:
    assert "reply" in await json_reply(copilot, user("Hello"))


# Structured outputs and bounds ----------------------------------------------------------


def schema_format(schema: dict) -> dict:
    return {
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    }


async def test_structured_output_follows_refs_formats_and_enums(copilot: httpx.AsyncClient) -> None:
    schema = {
        "$defs": {
            "Kind": {"enum": ["home", "work"]},
            "Address": {
                "type": "object",
                "properties": {"kind": {"$ref": "#/$defs/Kind"}, "since": {"format": "date"}},
                "required": ["kind", "since"],
                "additionalProperties": False,
            },
        },
        "type": "object",
        "properties": {
            "home": {"$ref": "#/$defs/Address"},
            "seen": {"type": "string", "format": "date-time"},
            "id": {"type": "string", "format": "uuid"},
        },
        "required": ["home", "seen", "id"],
    }
    content = (await chat(copilot, user("Where?"), **schema_format(schema)))["message"]["content"]
    reply = json.loads(content)
    assert jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(reply)
    assert reply["home"] == {"kind": "home", "since": "2024-01-15"}


async def test_a_schema_beyond_the_bounds_is_a_copilot_400(copilot: httpx.AsyncClient) -> None:
    """Issue #17: 392 bytes of schema (minItems 16, 5 deep) made a 13.1 MiB answer."""
    schema: dict = {"type": "string"}
    for _ in range(5):
        schema = {"type": "array", "items": schema, "minItems": 16}
    response = await copilot.post(
        "/chat/completions",
        json={"model": "gpt-4o", "messages": user("Go"), **schema_format(schema)},
    )
    assert response.status_code == 400 and len(response.content) < 1024
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("invalid_request_body", "response_format")


async def test_a_schema_without_instances_is_a_copilot_400(copilot: httpx.AsyncClient) -> None:
    schema = {"type": "integer", "minimum": 5, "maximum": 1}
    response = await copilot.post(
        "/chat/completions",
        json={"model": "gpt-4o", "messages": user("Go"), **schema_format(schema)},
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "response_format"


async def test_tool_parameters_beyond_the_bounds_are_a_copilot_400(
    copilot: httpx.AsyncClient,
) -> None:
    huge = {"type": "object", "properties": {"s": {"type": "string", "minLength": 10**6}}}
    tool = {"type": "function", "function": {"name": "big", "parameters": huge}}
    response = await copilot.post(
        "/chat/completions",
        json={
            "model": "gpt-4o",
            "messages": user("Go"),
            "tools": [tool],
            "tool_choice": "required",
        },
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "tools"


# Text cues -------------------------------------------------------------------------------

# dspy's chat format, as its ChatAdapter writes it (its lines are long).
DSPY_SYSTEM = """Your output fields are:
1. `answer` (str):
2. `count` (int):
3. `mood` (Literal['happy', 'sad']):
4. `person` (Person):

[[ ## answer ## ]]
{answer}

[[ ## count ## ]]
{count}        # note: the value you produce must be a single int value

[[ ## mood ## ]]
{mood}        # note: the value you produce must exactly match (no extra characters) one of: happy; sad

[[ ## person ## ]]
{person}        # note: the value you produce must adhere to the JSON schema: {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}

[[ ## completed ## ]]"""  # noqa: E501
DSPY_USER = """[[ ## question ## ]]
Are you sad?

Respond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, then `[[ ## count ## ]]`, then `[[ ## mood ## ]]`, then `[[ ## person ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`."""  # noqa: E501


async def test_field_markers_are_filled_in_order(copilot: httpx.AsyncClient) -> None:
    messages = [{"role": "system", "content": DSPY_SYSTEM}, *user(DSPY_USER)]
    assert (await chat(copilot, messages))["message"]["content"] == (
        "[[ ## answer ## ]]\nEmulated answer.\n\n[[ ## count ## ]]\n1\n\n"
        '[[ ## mood ## ]]\nsad\n\n[[ ## person ## ]]\n{"name":"emulated"}\n\n'
        "[[ ## completed ## ]]"
    )


@pytest.mark.parametrize(
    ("prompt", "reply"),
    [
        ('Reply with "pong" and nothing else.', "pong"),
        ("Respond with OK.", "OK"),
        ("Say 'hello world'", "hello world"),
        ("Which colour is the sky? Answer in one word.", "Emulated"),
    ],
)
async def test_reply_cues_are_followed(copilot: httpx.AsyncClient, prompt: str, reply: str) -> None:
    assert (await chat(copilot, user(prompt)))["message"]["content"] == reply


async def test_same_tool_request_same_answer(copilot: httpx.AsyncClient) -> None:
    body = user("What is the weather in Paris?")
    assert await chat(copilot, body, tools=[WEATHER]) == await chat(copilot, body, tools=[WEATHER])
