"""Responses and Messages call tools by chat's rule (`emulator/tools.py`), in their own
shapes: function_call items and their events; tool_use blocks, input_json_delta and
`stop_reason: tool_use`. The loop ends in text once the last turn is a tool's result, and
`tool_choice` means what each API says it means."""

from __future__ import annotations

import json
from typing import Any

import httpx
import orjson
import pytest

pytestmark = pytest.mark.anyio

WEATHER = (
    "get_weather",
    "Current weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
STOCKS = (
    "stock_price",
    "The latest price of a share",
    {"type": "object", "properties": {"ticker": {"type": "string"}}},
)
FINAL = (
    "final_result",
    "The final response which ends this conversation",
    {
        "type": "object",
        "properties": {"summary": {"type": "string"}, "degrees": {"type": "integer"}},
        "required": ["summary", "degrees"],
    },
)
WEATHER_QUESTION = "What is the weather in Paris?"
ANTHROPIC = {"anthropic-version": "2023-06-01"}


def events_of(text: str) -> list[dict]:
    """The JSON of each named event of a stream."""
    return [
        orjson.loads(line.removeprefix("data: "))
        for line in text.splitlines()
        if line.startswith("data: ")
    ]


# Responses -------------------------------------------------------------------------------


def function(tool: tuple[str, str, dict]) -> dict:
    name, description, parameters = tool
    return {"type": "function", "name": name, "description": description, "parameters": parameters}


async def respond(copilot: httpx.AsyncClient, input: Any, *tools: tuple, **extra: Any) -> dict:
    body = {"model": "gpt-5-mini", "input": input, "tools": [function(t) for t in tools], **extra}
    response = await copilot.post("/responses", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def calls(response: dict) -> list[dict]:
    return [item for item in response["output"] if item["type"] == "function_call"]


def called(response: dict) -> str | None:
    found = calls(response)
    return found[0]["name"] if found else None


def answered(response: dict) -> str:
    messages = [item for item in response["output"] if item["type"] == "message"]
    return "".join(part["text"] for message in messages for part in message["content"])


def after_function_call(question: str, response: dict, output: str) -> list[dict]:
    """The next turn's input: the question, the call made, and the tool's output."""
    call = calls(response)[0]
    handed_back = [
        {k: call[k] for k in ("type", "id", "call_id", "name", "arguments")},
        {"type": "function_call_output", "call_id": call["call_id"], "output": output},
    ]
    return [{"role": "user", "content": question}, *handed_back]


async def test_responses_call_the_function_the_prompt_names(copilot: httpx.AsyncClient) -> None:
    response = await respond(copilot, WEATHER_QUESTION, STOCKS, WEATHER)
    (call,) = calls(response)
    assert (call["name"], json.loads(call["arguments"])) == ("get_weather", {"city": "emulated"})
    assert call["call_id"].startswith("call_") and call["status"] == "completed"
    assert answered(response) == "" and response["status"] == "completed"


async def test_responses_stream_a_function_call_as_its_events(copilot: httpx.AsyncClient) -> None:
    body = {"model": "gpt-5-mini", "input": WEATHER_QUESTION, "tools": [function(WEATHER)]}
    text = (await copilot.post("/responses", json={**body, "stream": True})).text
    events = events_of(text)
    added = next(
        e for e in events if e["type"] == "response.output_item.added" and e["output_index"]
    )
    assert added["item"]["type"] == "function_call" and added["item"]["arguments"] == ""
    where = {"item_id": added["item"]["id"], "output_index": added["output_index"]}
    deltas = [e for e in events if e["type"] == "response.function_call_arguments.delta"]
    assert len(deltas) == 2 and all(where.items() <= d.items() for d in deltas)
    arguments = "".join(d["delta"] for d in deltas)
    done = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert (done["name"], done["arguments"]) == ("get_weather", arguments)
    item_done = [e for e in events if e["type"] == "response.output_item.done"][-1]
    assert (
        item_done["item"]["arguments"] == arguments and item_done["item"]["status"] == "completed"
    )
    completed = events[-1]
    assert completed["type"] == "response.completed"
    assert calls(completed["response"]) == [item_done["item"]]
    assert json.loads(arguments) == {"city": "emulated"}


async def test_responses_answer_in_text_after_the_function_output(
    copilot: httpx.AsyncClient,
) -> None:
    first = await respond(copilot, WEATHER_QUESTION, WEATHER)
    second = await respond(copilot, after_function_call(WEATHER_QUESTION, first, "sunny"), WEATHER)
    assert called(second) is None and "The tool said: sunny" in answered(second)


async def test_responses_under_required_end_with_the_output_tool(
    copilot: httpx.AsyncClient,
) -> None:
    first = await respond(copilot, WEATHER_QUESTION, WEATHER, FINAL, tool_choice="required")
    assert called(first) == "get_weather"
    turn = after_function_call(WEATHER_QUESTION, first, "sunny")
    second = await respond(copilot, turn, WEATHER, FINAL, tool_choice="required")
    assert called(second) == "final_result"


async def test_responses_honour_each_tool_choice(copilot: httpx.AsyncClient) -> None:
    assert called(await respond(copilot, WEATHER_QUESTION, WEATHER, tool_choice="none")) is None
    assert called(await respond(copilot, "Hello", WEATHER, tool_choice="auto")) is None
    assert called(await respond(copilot, "Hello", WEATHER, FINAL, tool_choice="required")) == (
        "final_result"
    )
    named = {"type": "function", "name": "stock_price"}
    assert called(await respond(copilot, WEATHER_QUESTION, WEATHER, STOCKS, tool_choice=named)) == (
        "stock_price"
    )
    allowed = {"type": "allowed_tools", "mode": "required", "tools": [function(STOCKS)]}
    response = await respond(copilot, WEATHER_QUESTION, WEATHER, STOCKS, tool_choice=allowed)
    assert called(response) == "stock_price"
    hosted = {"type": "web_search"}  # forced, but the emulator runs no hosted tool
    assert called(await respond(copilot, WEATHER_QUESTION, WEATHER, tool_choice=hosted)) is None


# Messages --------------------------------------------------------------------------------


def custom(tool: tuple[str, str, dict]) -> dict:
    name, description, schema = tool
    return {"name": name, "description": description, "input_schema": schema}


async def message(
    copilot: httpx.AsyncClient, messages: list[dict], *tools: tuple, **extra: Any
) -> dict:
    body = {
        "model": "claude-sonnet-4",
        "max_tokens": 200,
        "messages": messages,
        "tools": [custom(t) for t in tools],
        **extra,
    }
    response = await copilot.post("/v1/messages", json=body, headers=ANTHROPIC)
    assert response.status_code == 200, response.text
    return response.json()


def uses(answer: dict) -> list[dict]:
    return [block for block in answer["content"] if block["type"] == "tool_use"]


def used(answer: dict) -> str | None:
    found = uses(answer)
    return found[0]["name"] if found else None


def said(answer: dict) -> str:
    return "".join(block["text"] for block in answer["content"] if block["type"] == "text")


def asked(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def after_tool_use(question: str, answer: dict, result: str, *extra: dict) -> list[dict]:
    """The next turn: the question, the assistant's turn, and the tool's result."""
    use = uses(answer)[0]
    given = {"type": "tool_result", "tool_use_id": use["id"], "content": result}
    return [
        *asked(question),
        {"role": "assistant", "content": answer["content"]},
        {"role": "user", "content": [given, *extra]},
    ]


async def test_messages_use_the_tool_the_prompt_names(copilot: httpx.AsyncClient) -> None:
    answer = await message(copilot, asked(WEATHER_QUESTION), STOCKS, WEATHER)
    (use,) = uses(answer)
    assert (use["name"], use["input"]) == ("get_weather", {"city": "emulated"})
    assert use["id"].startswith("toolu_") and answer["stop_reason"] == "tool_use"


async def test_messages_stream_a_tool_use_as_input_json_deltas(
    copilot: httpx.AsyncClient,
) -> None:
    body = {
        "model": "claude-sonnet-4",
        "max_tokens": 200,
        "stream": True,
        "messages": asked(WEATHER_QUESTION),
        "tools": [custom(WEATHER)],
    }
    events = events_of((await copilot.post("/v1/messages", json=body, headers=ANTHROPIC)).text)
    start = next(
        e
        for e in events
        if e["type"] == "content_block_start" and e["content_block"]["type"] == "tool_use"
    )
    assert start["content_block"]["name"] == "get_weather" and start["content_block"]["input"] == {}
    pieces = [
        e["delta"]
        for e in events
        if e["type"] == "content_block_delta" and e["index"] == start["index"]
    ]
    assert {piece["type"] for piece in pieces} == {"input_json_delta"}
    assert json.loads("".join(p["partial_json"] for p in pieces)) == {"city": "emulated"}
    (delta,) = [e for e in events if e["type"] == "message_delta"]
    assert delta["delta"]["stop_reason"] == "tool_use"
    assert events[-1]["type"] == "message_stop"


async def test_messages_answer_in_text_after_the_tool_result(copilot: httpx.AsyncClient) -> None:
    first = await message(copilot, asked(WEATHER_QUESTION), WEATHER)
    reminder = {"type": "text", "text": "(a note the client adds)"}
    turn = after_tool_use(WEATHER_QUESTION, first, "sunny", reminder)
    second = await message(copilot, turn, WEATHER)
    assert used(second) is None and second["stop_reason"] == "end_turn"
    assert "The tool said: sunny" in said(second)


async def test_messages_under_any_end_with_the_output_tool(copilot: httpx.AsyncClient) -> None:
    choice = {"type": "any"}
    first = await message(copilot, asked(WEATHER_QUESTION), WEATHER, FINAL, tool_choice=choice)
    assert used(first) == "get_weather"
    turn = after_tool_use(WEATHER_QUESTION, first, "sunny")
    second = await message(copilot, turn, WEATHER, FINAL, tool_choice=choice)
    assert used(second) == "final_result" and set(uses(second)[0]["input"]) == {
        "summary",
        "degrees",
    }


async def test_messages_honour_each_tool_choice(copilot: httpx.AsyncClient) -> None:
    question = asked(WEATHER_QUESTION)
    assert used(await message(copilot, question, WEATHER, tool_choice={"type": "none"})) is None
    hello = asked("Hello")
    assert used(await message(copilot, hello, WEATHER, tool_choice={"type": "auto"})) is None
    assert used(await message(copilot, hello, WEATHER, FINAL, tool_choice={"type": "any"})) == (
        "final_result"
    )
    named = {"type": "tool", "name": "stock_price"}
    assert used(await message(copilot, question, WEATHER, STOCKS, tool_choice=named)) == (
        "stock_price"
    )
