"""Agent loops through the gateway on the native routes, with the official SDKs: a GPT-5
model on /v1/responses and a Claude model on /v1/messages call the tool the prompt names
(no tool forced), take its result, and answer in text; each API's `tool_choice` decides
as that API defines it. Every stream event is checked against the spec."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx2
import openai
import pytest
from anthropic.types import MessageParam, ToolParam
from openai.types.responses import FunctionToolParam
from test_anthropic_sdk import WEATHER as CLAUDE_WEATHER
from test_anthropic_sdk import checked
from test_openai_sdk import sdk_client
from test_responses_sdk import WEATHER, checked_events

from conftest import API_KEY
from openapi_oracle import validate_chunk

GPT, CLAUDE = "gpt-5.3-codex", "claude-sonnet-4"
PROMPT = "What is the weather in Paris?"
TIME: FunctionToolParam = {
    "type": "function",
    "name": "get_time",
    "description": "The local time in a timezone.",
    "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}},
    "strict": False,
}
CLAUDE_TIME: ToolParam = {
    "name": "get_time",
    "description": "The local time in a timezone.",
    "input_schema": {"type": "object", "properties": {"zone": {"type": "string"}}},
}


@pytest.fixture
def gpt(gateway_url: str) -> Iterator[openai.OpenAI]:
    with sdk_client(gateway_url) as client:  # every exchange checked against the spec
        yield client


@pytest.fixture
def claude(gateway_url: str) -> Iterator[anthropic.Anthropic]:
    http = httpx2.Client(event_hooks={"response": [checked]})
    with anthropic.Anthropic(
        base_url=gateway_url, api_key=API_KEY, max_retries=0, http_client=http
    ) as client:
        yield client


# Responses ---------------------------------------------------------------------------------


def responses_call(gpt: openai.OpenAI, **extra: Any) -> list[Any]:
    response = gpt.responses.create(model=GPT, input=PROMPT, tools=[WEATHER, TIME], **extra)
    return [item for item in response.output if item.type == "function_call"]


def test_a_gpt_5_model_calls_the_function_the_prompt_names_and_answers_its_output(
    gpt: openai.OpenAI,
) -> None:
    [call] = responses_call(gpt)
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "emulated"}
    assert call.call_id
    answer = gpt.responses.create(
        model=GPT,
        input=[
            {"role": "user", "content": PROMPT},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"},
        ],
        tools=[WEATHER, TIME],
    )
    assert not [item for item in answer.output if item.type == "function_call"]
    assert answer.output_text.endswith("The tool said: sunny")


def test_a_streamed_function_call_comes_as_openais_events_in_order(gpt: openai.OpenAI) -> None:
    with gpt.responses.stream(model=GPT, input=PROMPT, tools=[WEATHER, TIME]) as stream:
        events = checked_events(stream)
    call_events = [
        e.type
        for e in events
        if getattr(getattr(e, "item", None), "type", None) == "function_call"
        or e.type.startswith("response.function_call_arguments.")
    ]
    assert call_events[0] == "response.output_item.added"
    assert call_events[-2:] == [
        "response.function_call_arguments.done",
        "response.output_item.done",
    ]
    assert set(call_events[1:-2]) == {"response.function_call_arguments.delta"}
    deltas = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    [call] = [i for i in events[-1].response.output if i.type == "function_call"]
    assert deltas == call.arguments and json.loads(deltas) == {"city": "emulated"}
    assert events[-1].type == "response.completed"


@pytest.mark.parametrize(
    ("tool_choice", "called"),
    [
        ("none", []),
        ("auto", ["get_weather"]),
        ("required", ["get_weather"]),
        ({"type": "function", "name": "get_time"}, ["get_time"]),
        (
            {
                "type": "allowed_tools",
                "mode": "required",
                "tools": [{"type": "function", "name": "get_time"}],
            },
            ["get_time"],
        ),
    ],
)
def test_responses_tool_choice_decides_as_openai_defines_it(
    gpt: openai.OpenAI, tool_choice: Any, called: list[str]
) -> None:
    assert [call.name for call in responses_call(gpt, tool_choice=tool_choice)] == called


# Messages ----------------------------------------------------------------------------------


def claude_message(claude: anthropic.Anthropic, **extra: Any) -> Any:
    return claude.messages.create(
        model=CLAUDE,
        max_tokens=300,
        messages=[{"role": "user", "content": PROMPT}],
        tools=[CLAUDE_WEATHER, CLAUDE_TIME],
        **extra,
    )


def test_a_claude_model_uses_the_tool_the_prompt_names_and_answers_its_result(
    claude: anthropic.Anthropic,
) -> None:
    first = claude_message(claude)
    assert first.stop_reason == "tool_use"
    [use] = [block for block in first.content if block.type == "tool_use"]
    assert use.name == "get_weather" and use.input == {"city": "emulated"}
    turns: list[MessageParam] = [
        {"role": "user", "content": PROMPT},
        {"role": "assistant", "content": first.content},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "sunny"}],
        },
    ]
    answer = claude.messages.create(
        model=CLAUDE, max_tokens=300, messages=turns, tools=[CLAUDE_WEATHER, CLAUDE_TIME]
    )
    assert answer.stop_reason == "end_turn"
    assert [block.type for block in answer.content] == ["text"]
    assert "The tool said: sunny" in answer.content[0].text  # type: ignore[union-attr]


def test_a_streamed_tool_use_comes_as_input_json_deltas(gateway_url: str) -> None:
    body = {
        "model": CLAUDE,
        "max_tokens": 300,
        "stream": True,
        "messages": [{"role": "user", "content": PROMPT}],
        "tools": [CLAUDE_WEATHER, CLAUDE_TIME],
    }
    headers = {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}
    with httpx2.Client() as http:
        text = http.post(f"{gateway_url}/v1/messages", json=body, headers=headers).text
    events = []
    for raw in text.strip().split("\n\n"):
        name, data = raw.split("\n")
        event = json.loads(data.removeprefix("data: "))
        assert event["type"] == name.removeprefix("event: ")
        validate_chunk("MessageStreamEvent", event, "anthropic.yaml")
        events.append(event)
    starts = [e for e in events if e["type"] == "content_block_start"]
    [use] = [e for e in starts if e["content_block"]["type"] == "tool_use"]
    assert use["content_block"]["input"] == {} and use["content_block"]["name"] == "get_weather"
    at = use["index"]
    of_use = [e for e in events if e.get("index") == at]
    assert of_use[0]["type"] == "content_block_start"
    assert of_use[-1]["type"] == "content_block_stop"
    deltas = [e["delta"] for e in of_use if e["type"] == "content_block_delta"]
    assert deltas and {d["type"] for d in deltas} == {"input_json_delta"}
    assert json.loads("".join(d["partial_json"] for d in deltas)) == {"city": "emulated"}
    [stop] = [e for e in events if e["type"] == "message_delta"]
    assert stop["delta"]["stop_reason"] == "tool_use"
    assert events[-1]["type"] == "message_stop"


@pytest.mark.parametrize(
    ("tool_choice", "used"),
    [
        ({"type": "none"}, []),
        ({"type": "auto"}, ["get_weather"]),
        ({"type": "any"}, ["get_weather"]),
        ({"type": "tool", "name": "get_time"}, ["get_time"]),
        ({"type": "auto", "disable_parallel_tool_use": True}, ["get_weather"]),
    ],
)
def test_messages_tool_choice_decides_as_anthropic_defines_it(
    claude: anthropic.Anthropic, tool_choice: Any, used: list[str]
) -> None:
    message = claude_message(claude, tool_choice=tool_choice)
    assert [block.name for block in message.content if block.type == "tool_use"] == used
    assert message.stop_reason == ("tool_use" if used else "end_turn")
