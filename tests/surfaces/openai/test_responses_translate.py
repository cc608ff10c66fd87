"""Responses <-> Chat Completions translation, as pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from copilot_gateway import tokens
from copilot_gateway.errors import InvalidRequest
from copilot_gateway.surfaces.openai.responses.events import ChatToResponseEvents
from copilot_gateway.surfaces.openai.responses.for_chat import chat_answer, responses_request
from copilot_gateway.surfaces.openai.responses.objects import (
    response_from_chat,
    response_object,
    with_item_ids,
)
from copilot_gateway.surfaces.openai.responses.requests import (
    chat_request,
    input_items,
    refuse_unsupported,
)
from openapi_oracle import validate_chunk

CALL = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
TOOL = {"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": True}


def test_instructions_and_a_string_input_become_system_and_user_messages() -> None:
    request = {"model": "m", "instructions": "Be brief.", "input": "Hi"}
    chat = chat_request(request, input_items(request))
    assert chat["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
    ]


def test_items_become_messages_with_parts_calls_and_tool_results() -> None:
    items: list[dict[str, Any]] = [
        {"role": "developer", "content": "rules"},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "look"},
                {"type": "input_image", "image_url": "data:x", "detail": "low"},
            ],
        },
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "ok"}],
        },
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call", "call_id": "c2", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "one"},
        {"type": "reasoning", "id": "rs_1", "summary": []},
    ]
    messages = chat_request({"model": "m"}, items)["messages"]
    assert messages[0] == {"role": "system", "content": "rules"}
    assert messages[1]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "data:x", "detail": "low"},
    }
    # The assistant's text and both of its calls are one turn.
    assert messages[2]["content"] == "ok"
    assert [call["id"] for call in messages[2]["tool_calls"]] == ["c1", "c2"]
    assert messages[3] == {"role": "tool", "tool_call_id": "c1", "content": "one"}
    assert len(messages) == 4


def test_tools_choice_format_and_limits_take_their_chat_names() -> None:
    request = {
        "model": "m",
        "input": "x",
        "tools": [TOOL],
        "tool_choice": {"type": "function", "name": "f"},
        "parallel_tool_calls": False,
        "text": {"format": {"type": "json_schema", "name": "w", "schema": {}, "strict": True}},
        "max_output_tokens": 20,
        "temperature": 0.5,
        "top_p": 0.9,
        "metadata": {"k": "v"},
    }
    chat = chat_request(request, input_items(request))
    assert chat["tools"] == [
        {
            "type": "function",
            "function": {"name": "f", "parameters": {"type": "object"}, "strict": True},
        }
    ]
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "f"}}
    assert chat["parallel_tool_calls"] is False
    assert chat["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "w", "strict": True, "schema": {}},
    }
    assert (chat["max_tokens"], chat["temperature"], chat["top_p"]) == (20, 0.5, 0.9)
    assert "metadata" not in chat  # echoed on the response, not sent upstream


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"tools": [{"type": "file_search"}]}, "tools[0].type"),
        ({"input": [{"type": "item_reference", "id": "x"}]}, "input[0].type"),
        ({"tool_choice": {"type": "web_search_preview"}}, "tool_choice.type"),
    ],
)
def test_what_cannot_be_translated_is_refused_by_name(extra: dict, param: str) -> None:
    request = {"model": "m", "input": "x", **extra}
    with pytest.raises(InvalidRequest) as raised:
        chat_request(request, input_items(request))
    assert raised.value.param == param


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"background": True}, "background"),
        ({"conversation": {"id": "c"}}, "conversation"),
        ({"prompt": {"id": "pmpt_1"}}, "prompt"),
    ],
)
def test_what_no_route_serves_is_refused_by_name(extra: dict, param: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        refuse_unsupported({"model": "m", "input": "x", **extra})
    assert raised.value.param == param
    refuse_unsupported({"model": "m", "input": "x", "background": False})


def test_a_chat_answer_becomes_a_response_with_items_status_and_usage() -> None:
    completion = {
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "partial",
                    "tool_calls": [
                        {
                            "id": "c",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ],
                },
                "finish_reason": "length",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }
    response = response_from_chat(completion, {"model": "m", "input": "x"}, "resp_1", 5)
    assert response["status"] == "incomplete"
    assert response["incomplete_details"] == {"reason": "max_output_tokens"}
    assert [item["type"] for item in response["output"]] == ["message", "function_call"]
    assert response["output"][1]["call_id"] == "c"
    assert response["usage"]["total_tokens"] == 7


def test_a_chat_request_for_a_responses_only_model_and_its_answer_back() -> None:
    chat = {
        "model": "codex",
        "messages": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [CALL],
            },
            {"role": "tool", "tool_call_id": "c", "content": "r"},
        ],
        "max_completion_tokens": 30,
        "response_format": {"type": "json_object"},
    }
    request = responses_request(chat)
    assert [item["type"] for item in request["input"]] == [
        "message",
        "message",
        "function_call",
        "function_call_output",
    ]
    assert request["max_output_tokens"] == 30 and request["store"] is False
    assert request["text"] == {"format": {"type": "json_object"}}
    response = {
        "status": "completed",
        "model": "codex",
        "output": [
            {"type": "reasoning", "id": "r", "summary": []},
            {"type": "function_call", "call_id": "c2", "name": "f", "arguments": "{}"},
        ],
        "usage": {"input_tokens": 2, "output_tokens": 3, "total_tokens": 5},
    }
    answer = chat_answer(response)
    assert answer["choices"][0]["finish_reason"] == "tool_calls"
    assert answer["choices"][0]["message"]["tool_calls"][0]["id"] == "c2"
    assert answer["usage"]["prompt_tokens"] == 2


def test_stored_input_items_get_ids_and_complete_parts() -> None:
    items = with_item_ids(
        [{"role": "assistant", "content": "hi"}, {"role": "user", "content": "q"}]
    )
    assert all(item["id"] and item["type"] == "message" for item in items)
    assert items[0]["content"] == [
        {"annotations": [], "logprobs": [], "type": "output_text", "text": "hi"}
    ]
    assert items[1]["content"] == [{"type": "input_text", "text": "q"}]


@pytest.mark.parametrize(
    ("extra", "param"),
    [({"n": 2}, "n"), ({"stop": ["x"]}, "stop"), ({"logprobs": True}, "logprobs")],
)
def test_chat_features_responses_lack_are_refused_by_name(extra: dict, param: str) -> None:
    chat = {"model": "codex", "messages": [{"role": "user", "content": "q"}], **extra}
    with pytest.raises(InvalidRequest) as raised:
        responses_request(chat)
    assert raised.value.param == param


def test_a_chat_stream_split_across_choices_streams_as_response_events() -> None:
    """Copilot's Claude streams text in choice 0 and its tool call in choice 1: as Responses
    events, a message item, then a function_call item with its arguments, then one
    `response.completed` whose usage is counted from what was generated."""
    request = {"model": "claude-sonnet-4", "input": "Weather in Paris?"}
    chat = chat_request(request, input_items(request))
    opening = response_object(request, "resp_1", 5, "in_progress")
    translator = ChatToResponseEvents(request, chat, opening)
    head = {"index": 1, "id": "call_1", "function": {"name": "weather", "arguments": '{"city":'}}
    tail = {"index": 1, "function": {"arguments": '"Paris"}'}}
    events = translator.opening()
    for choices in (
        [{"index": 0, "delta": {"role": "assistant", "content": "Checking."}}],
        [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        [{"index": 1, "delta": {"tool_calls": [head]}}],
        [{"index": 1, "delta": {"tool_calls": [tail]}, "finish_reason": "stop"}],
    ):
        events += translator.chunk({"choices": choices, "model": "claude-sonnet-4"})
    events += translator.closing()
    for number, event in enumerate(events):
        validate_chunk("ResponseStreamEvent", {**event, "sequence_number": number})
    kinds = [event["type"] for event in events]
    assert kinds[kinds.index("response.output_item.done") + 1 :] == [
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    done = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert (done["name"], done["arguments"]) == ("weather", '{"city":"Paris"}')
    response = events[-1]["response"]
    assert [item["type"] for item in response["output"]] == ["message", "function_call"]
    generated = ["Checking.", "weather", '{"city":"Paris"}']
    assert response["usage"]["output_tokens"] == tokens.count(generated, "claude-sonnet-4")
    assert translator.chat_usage["completion_tokens"] == response["usage"]["output_tokens"]
