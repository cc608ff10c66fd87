"""Messages <-> Chat Completions, function by function (no server needed)."""

from __future__ import annotations

import pytest

from copilot_gateway.errors import InvalidRequest
from copilot_gateway.surfaces.anthropic.translate import (
    EventsFromChunks,
    chat_messages,
    chat_request,
    message_from_choice,
)
from copilot_gateway.surfaces.choices import the_choice
from openapi_oracle import validate_chunk

TOOL = {
    "name": "get_weather",
    "description": "The weather.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def request(**extra: object) -> dict:
    return {
        "model": "gpt-4o",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hi"}],
        **extra,
    }


def test_system_blocks_and_a_system_message_inside_messages() -> None:
    body = request(
        system=[{"type": "text", "text": "One."}, {"type": "text", "text": "Two."}],
        messages=[
            {"role": "system", "content": "Env info"},
            {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
        ],
    )
    assert chat_request(body)["messages"] == [
        {"role": "system", "content": "One.\n\nTwo.\n\nEnv info"},
        {"role": "user", "content": "Hi"},
    ]


def test_images_become_data_urls() -> None:
    image = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
    body = request(
        messages=[
            {
                "role": "user",
                "content": [{"type": "text", "text": "What?"}, {"type": "image", "source": image}],
            }
        ]
    )
    [message] = chat_request(body)["messages"]
    assert message["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="},
    }


def test_tool_use_and_tool_result_become_tool_calls_and_tool_messages() -> None:
    body = request(
        messages=[
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hm", "signature": "s"},
                    {"type": "text", "text": "Let me look."},
                    {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": "get_weather",
                        "input": {"city": "Oslo"},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": [{"type": "text", "text": "Sunny"}],
                    },
                    {"type": "text", "text": "Thanks"},
                ],
            },
        ]
    )
    messages = chat_request(body)["messages"]
    assert messages[1] == {
        "role": "assistant",
        "content": "Let me look.",
        "tool_calls": [
            {
                "id": "toolu_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
            }
        ],
    }
    # Text beside the results joins the last one: the turn stays the agent's.
    assert messages[2:] == [
        {"role": "tool", "tool_call_id": "toolu_1", "content": "Sunny\n\nThanks"}
    ]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ({"type": "auto"}, "auto"),
        ({"type": "any"}, "required"),
        ({"type": "none"}, "none"),
        (
            {"type": "tool", "name": "get_weather"},
            {"type": "function", "function": {"name": "get_weather"}},
        ),
    ],
)
def test_tool_choice(choice: dict, expected: object) -> None:
    out = chat_request(request(tools=[TOOL], tool_choice=choice))
    assert out["tool_choice"] == expected
    assert out["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": TOOL["input_schema"],
                "description": "The weather.",
            },
        }
    ]


def test_what_cannot_be_translated_is_dropped_or_refused() -> None:
    server_tool = {"type": "web_search_20250305", "name": "web_search"}
    out = chat_request(
        request(
            tools=[TOOL, server_tool],
            thinking={"type": "enabled", "budget_tokens": 1024},
            top_k=5,
            stop_sequences=["END"],
            metadata={"user_id": "u1"},
            tool_choice={"type": "auto", "disable_parallel_tool_use": True},
        )
    )
    assert [t["function"]["name"] for t in out["tools"]] == ["get_weather"]
    assert "thinking" not in out and "top_k" not in out
    assert out["stop"] == ["END"] and out["user"] == "u1" and out["parallel_tool_calls"] is False
    with pytest.raises(InvalidRequest) as refused:
        chat_request(
            request(tools=[TOOL, server_tool], tool_choice={"type": "tool", "name": "web_search"})
        )
    assert refused.value.param == "tool_choice.name"
    pdf = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": "x"},
    }
    with pytest.raises(InvalidRequest) as refused:
        chat_request(request(messages=[{"role": "user", "content": [pdf]}]))
    assert refused.value.param == "messages[0].content[0].source"


def test_counting_takes_what_translation_refuses_as_its_json() -> None:
    """count_tokens serves natively served models too: their content is counted, not refused."""
    pdf = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"},
    }
    body = request(messages=[{"role": "user", "content": [{"type": "text", "text": "Hi"}, pdf]}])
    with pytest.raises(InvalidRequest):
        chat_messages(body)
    content = chat_messages(body, counting=True)[0]["content"]
    assert content.startswith("Hi\n\n") and '"JVBERi0x"' in content


def test_an_empty_assistant_turn_is_empty_text_and_nothing_left_is_refused() -> None:
    prefill = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": []}]
    assert chat_request(request(messages=prefill))["messages"][-1] == {
        "role": "assistant",
        "content": "",
    }
    thinking = {"type": "thinking", "thinking": "hm", "signature": "s"}
    with pytest.raises(InvalidRequest) as refused:
        chat_request(request(messages=[{"role": "user", "content": [thinking]}]))
    assert refused.value.param == "messages"


@pytest.mark.parametrize(
    ("finish", "tool_calls", "reason"),
    [
        ("stop", None, "end_turn"),
        ("length", None, "max_tokens"),
        ("tool_calls", True, "tool_use"),
        ("stop", True, "tool_use"),
        ("content_filter", None, "refusal"),
    ],
)
def test_answers_and_stop_reasons(finish: str, tool_calls: object, reason: str) -> None:
    calls = [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}}
    ]
    answer = {
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello"},
                "finish_reason": finish,
            },
            # Copilot's Claude models put the tool calls in a choice of their own.
            {
                "index": 1,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": calls if tool_calls else None,
                },
                "finish_reason": finish,
            },
        ]
    }
    usage = {"prompt_tokens": 7, "completion_tokens": 3}
    message = message_from_choice(the_choice(answer), "gpt-4o", "msg_1", usage)
    validate_chunk("Message", message, "anthropic.yaml")
    assert message["stop_reason"] == reason
    assert message["content"][0] == {"type": "text", "text": "Hello"}
    assert message["usage"] == {"input_tokens": 7, "output_tokens": 3}
    if tool_calls:
        assert message["content"][1] == {
            "type": "tool_use",
            "id": "call_1",
            "name": "f",
            "input": {"a": 1},
        }


def test_chunks_become_anthropic_events() -> None:
    converter = EventsFromChunks("msg_1", "gpt-4o", 5)
    events = converter.start()
    for chunk in [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {"choices": [{"index": 0, "delta": {"content": "Hel"}}]},
        {"choices": [{"index": 0, "delta": {"content": "lo"}}]},
        {
            "choices": [
                {
                    "index": 1,
                    "delta": {
                        "tool_calls": [
                            {"index": 1, "id": "call_9", "function": {"name": "f", "arguments": ""}}
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 1,
                    "delta": {"tool_calls": [{"index": 1, "function": {"arguments": '{"a":'}}]},
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 1,
                    "delta": {"tool_calls": [{"index": 1, "function": {"arguments": "1}"}}]},
                    "finish_reason": "stop",
                }
            ]
        },
    ]:
        events += converter.feed(chunk)
    events += converter.finish_events({"prompt_tokens": 5, "completion_tokens": 4})
    for event in events:
        validate_chunk("MessageStreamEvent", event, "anthropic.yaml")
    assert [e["type"] for e in events] == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert events[6]["content_block"] == {
        "type": "tool_use",
        "id": "call_9",
        "name": "f",
        "input": {},
    }
    assert events[-2]["delta"]["stop_reason"] == "tool_use"
    assert events[-2]["usage"] == {"input_tokens": 5, "output_tokens": 4}


def test_split_choices_stream_as_one_message_whose_blocks_follow_in_order() -> None:
    """Copilot's Claude: text in choice 0, calls in choices of their own, each numbered from
    0 there; each finishes on its own. The client sees one message and one stop reason."""
    converter = EventsFromChunks("msg_1", "gpt-4o", 5)
    events = converter.start()
    first = {"index": 0, "id": "call_a", "function": {"name": "f", "arguments": "{}"}}
    second = {"index": 0, "id": "call_b", "function": {"name": "g", "arguments": "{}"}}
    for chunk in [
        {"choices": [{"index": 0, "delta": {"content": "Two calls."}, "finish_reason": "stop"}]},
        {"choices": [{"index": 1, "delta": {"tool_calls": [first]}, "finish_reason": "stop"}]},
        {"choices": [{"index": 2, "delta": {"tool_calls": [second]}, "finish_reason": "stop"}]},
    ]:
        events += converter.feed(chunk)
    events += converter.finish_events({"prompt_tokens": 5, "completion_tokens": 4})
    for event in events:
        validate_chunk("MessageStreamEvent", event, "anthropic.yaml")
    starts = [e["content_block"] for e in events if e["type"] == "content_block_start"]
    assert [(block["type"], block.get("id")) for block in starts] == [
        ("text", None),
        ("tool_use", "call_a"),
        ("tool_use", "call_b"),
    ]
    assert [e["type"] for e in events].count("message_delta") == 1
    assert events[-2]["delta"]["stop_reason"] == "tool_use"
    assert list(converter.choices.generated()) == ["Two calls.", "f", "{}", "g", "{}"]
