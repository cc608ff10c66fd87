"""Upstream choices read as one answer, for every surface: Claude's split answers merged,
tool calls numbered from 0, `tool_calls` as the finish reason whenever a tool was called, and
the answer's usage as reported or counted from what it generated."""

from __future__ import annotations

from typing import Any

import pytest

from copilot_gateway import tokens, usage
from copilot_gateway.surfaces.choices import (
    StreamChoices,
    answer_usage,
    finish_reason,
    merged_answer_choices,
    the_choice,
)


def tool_call(call_id: str, name: str, arguments: str = "{}") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


@pytest.mark.parametrize(
    ("reason", "called", "expected"),
    [
        ("stop", True, "tool_calls"),
        ("stop", False, "stop"),
        ("length", True, "length"),
        ("tool_calls", False, "tool_calls"),
        (None, True, None),
        ("content_filter", True, "content_filter"),
    ],
)
def test_finish_reason_says_tool_calls_when_a_stop_called_tools(
    reason: str | None, called: bool, expected: str | None
) -> None:
    assert finish_reason(reason, called) == expected


# Non-streamed answers ---------------------------------------------------------------------


def test_a_bare_choice_gets_every_field_openai_sends() -> None:
    [choice] = merged_answer_choices([{"message": {"content": "hi"}}], single=True)
    assert choice == {
        "index": 0,
        "message": {"role": "assistant", "content": "hi", "refusal": None},
        "logprobs": None,
        "finish_reason": "stop",
    }


def test_claudes_split_answer_becomes_one_choice() -> None:
    """Copilot's Claude: the text in choice 0, the tool calls in choice 1, `stop` on both."""
    upstream = [
        {"index": 0, "message": {"role": "assistant", "content": "Let me look."}},
        {
            "index": 1,
            "message": {"role": "assistant", "tool_calls": [tool_call("c1", "lookup")]},
            "finish_reason": "stop",
        },
    ]
    [choice] = merged_answer_choices(upstream, single=True)
    assert choice["index"] == 0
    assert choice["message"]["content"] == "Let me look."
    assert choice["message"]["tool_calls"] == [tool_call("c1", "lookup")]
    assert choice["finish_reason"] == "tool_calls"


def test_merging_joins_texts_and_keeps_a_reason_other_than_stop() -> None:
    upstream = [
        {"message": {"content": "Part one. "}, "finish_reason": "stop"},
        {"message": {"content": None}, "finish_reason": "stop"},
        {"message": {"content": "Part two."}, "finish_reason": "length"},
    ]
    [choice] = merged_answer_choices(upstream, single=True)
    assert choice["message"]["content"] == "Part one. Part two."
    assert "tool_calls" not in choice["message"]
    assert choice["finish_reason"] == "length"


def test_merging_only_tool_calls_leaves_content_null() -> None:
    upstream = [
        {"message": {"tool_calls": [tool_call("a", "one")]}},
        {"message": {"tool_calls": [tool_call("b", "two")]}},
    ]
    [choice] = merged_answer_choices(upstream, single=True)
    assert choice["message"]["content"] is None
    assert [c["id"] for c in choice["message"]["tool_calls"]] == ["a", "b"]
    assert choice["finish_reason"] == "tool_calls"


def test_several_choices_asked_for_stay_apart() -> None:
    upstream = [
        {"index": 0, "message": {"content": "first"}, "finish_reason": "stop"},
        {"index": 1, "message": {"tool_calls": [tool_call("c", "f")]}, "finish_reason": "stop"},
    ]
    choices = merged_answer_choices(upstream, single=False)
    assert [c["index"] for c in choices] == [0, 1]
    assert [c["message"]["content"] for c in choices] == ["first", None]
    assert [c["finish_reason"] for c in choices] == ["stop", "tool_calls"]


def test_choices_without_an_index_are_numbered_in_order() -> None:
    choices = merged_answer_choices([{"message": {}}, {"message": {}}], single=False)
    assert [c["index"] for c in choices] == [0, 1]


# Streamed answers -------------------------------------------------------------------------


def delta_choice(index: int, reason: str | None = None, **delta: Any) -> dict[str, Any]:
    return {"index": index, "delta": delta, "finish_reason": reason}


def test_claudes_split_stream_becomes_choice_0_with_calls_from_0_and_one_finish() -> None:
    choices = StreamChoices(single=True, model="m")
    head = {"index": 1, "id": "c1", "type": "function", "function": {"name": "f", "arguments": ""}}
    tail = {"index": 1, "function": {"arguments": "{}"}}
    sent = [
        choices.normalise(delta_choice(0, role="assistant", content="Looking")),
        choices.normalise(delta_choice(0, "stop")),
        choices.normalise(delta_choice(1, tool_calls=[head])),
        choices.normalise(delta_choice(1, tool_calls=[tail])),
        choices.normalise(delta_choice(1, "stop")),
    ]
    assert sent[1] is None and sent[4] is None  # the finishes are held back
    sent_choices = [choice for choice in sent if choice]
    assert all(c["index"] == 0 and c["finish_reason"] is None for c in sent_choices)
    assert sent_choices[0]["delta"] == {"role": "assistant", "content": "Looking"}
    calls = [call for c in sent_choices for call in c["delta"].get("tool_calls", [])]
    assert [call["index"] for call in calls] == [0, 0]
    assert calls[0]["id"] == "c1" and calls[1]["function"] == {"arguments": "{}"}
    assert choices.closing() == [
        {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "tool_calls"}
    ]


def test_stream_tool_calls_are_renumbered_in_order_of_appearance() -> None:
    choices = StreamChoices(single=True, model="m")
    numbers = []
    for upstream_index in (3, 7, 3, 9, 7):
        call = {"index": upstream_index, "function": {"arguments": "x"}}
        out = choices.normalise(delta_choice(0, tool_calls=[call]))
        assert out is not None
        numbers.append(out["delta"]["tool_calls"][0]["index"])
    assert numbers == [0, 1, 0, 2, 1]


def test_a_finish_with_content_is_sent_without_its_reason() -> None:
    choices = StreamChoices(single=True, model="m")
    out = choices.normalise(delta_choice(0, "length", content="last words"))
    assert out == {
        "index": 0,
        "delta": {"content": "last words"},
        "logprobs": None,
        "finish_reason": None,
    }
    assert choices.closing()[0]["finish_reason"] == "length"


def test_a_held_finish_other_than_stop_wins() -> None:
    choices = StreamChoices(single=True, model="m")
    choices.normalise(delta_choice(0, "length"))
    choices.normalise(delta_choice(1, "stop"))
    assert choices.closing()[0]["finish_reason"] == "length"


def test_a_plain_stream_closes_with_stop() -> None:
    choices = StreamChoices(single=True, model="m")
    assert choices.normalise(delta_choice(0, content="hi")) is not None
    assert choices.normalise(delta_choice(0, "stop")) is None
    closing = [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]
    assert choices.closing() == closing


def test_a_stream_that_never_finished_closes_with_nothing() -> None:
    choices = StreamChoices(single=True, model="m")
    choices.normalise(delta_choice(0, content="cut short"))
    assert choices.closing() == []


def test_several_choices_keep_their_index_and_finish_as_they_go() -> None:
    choices = StreamChoices(single=False, model="m")
    first = choices.normalise(delta_choice(1, tool_calls=[{"index": 5, "id": "c"}]))
    finished = choices.normalise(delta_choice(1, "stop"))
    other = choices.normalise(delta_choice(0, "stop"))
    assert first is not None and first["index"] == 1
    assert first["delta"]["tool_calls"][0]["index"] == 0
    assert finished == {"index": 1, "delta": {}, "logprobs": None, "finish_reason": "tool_calls"}
    assert other is not None and other["finish_reason"] == "stop"
    assert choices.closing() == []


def test_only_openais_delta_fields_pass() -> None:
    choices = StreamChoices(single=True, model="m")
    out = choices.normalise(
        delta_choice(0, content="x", copilot_annotations={"a": 1}, reasoning_text="secret")
    )
    assert out is not None and out["delta"] == {"content": "x"}


def test_tool_calls_of_different_choices_with_one_upstream_index_stay_apart() -> None:
    """Each split choice numbers its own calls: (choice, index) names a call, not index."""
    choices = StreamChoices(single=True, model="m")
    first = {"index": 0, "id": "a", "function": {"name": "one", "arguments": "{}"}}
    second = {"index": 0, "id": "b", "function": {"name": "two", "arguments": "{}"}}
    sent = [
        choices.normalise(delta_choice(0, tool_calls=[first])),
        choices.normalise(delta_choice(1, tool_calls=[second])),
    ]
    assert [c["delta"]["tool_calls"][0]["index"] for c in sent if c] == [0, 1]


def chunk(*choices: Any, **extra: Any) -> dict[str, Any]:
    return {"choices": list(choices), **extra}


def test_reading_chunks_keeps_the_upstreams_model_and_usage_and_skips_the_rest() -> None:
    choices = StreamChoices(single=True, model="asked")
    assert choices.read({"choices": [], "prompt_filter_results": []}) == []
    assert choices.read({"choices": None}) == []
    assert choices.read(chunk("not a choice", delta_choice(0, content="hi"), model="served"))
    assert choices.model == "served"
    assert choices.read(chunk(model="")) == [] and choices.model == "served"
    reported = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    assert choices.read(chunk(usage=reported)) == []
    assert choices.usage({"messages": []}) is reported


def test_what_a_stream_generated_is_whole_per_choice_and_per_call() -> None:
    choices = StreamChoices(single=True, model="gpt-4o")
    head = {"index": 1, "id": "c", "function": {"name": "weather", "arguments": '{"city":'}}
    tail = {"index": 1, "function": {"arguments": '"Paris"}'}}
    for upstream in (
        chunk(delta_choice(0, content="Check")),
        chunk(delta_choice(0, content="ing.")),
        chunk(delta_choice(1, tool_calls=[head])),
        chunk(delta_choice(1, tool_calls=[tail])),
    ):
        choices.read(upstream)
    assert list(choices.generated()) == ["Checking.", "weather", '{"city":"Paris"}']
    request: dict[str, Any] = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Weather?"}],
    }
    counted = choices.usage(request)
    assert counted == usage.reported_or_counted(
        None, "gpt-4o", messages=request["messages"], generated=choices.generated()
    )


def test_a_non_streamed_answer_is_read_as_one_choice_even_when_there_is_none() -> None:
    assert the_choice({"choices": [{"message": {"content": "a"}}, "junk"]})["message"] == {
        "role": "assistant",
        "content": "a",
        "refusal": None,
    }
    empty = the_choice({})
    assert empty["message"]["content"] is None and empty["finish_reason"] == "stop"


def test_a_non_streamed_answers_usage_is_reported_or_counted_from_its_choices() -> None:
    request = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Weather?"}]}
    answer = {
        "choices": [
            {"message": {"content": "Checking."}},
            {"message": {"tool_calls": [tool_call("c", "weather", '{"city":"Paris"}')]}},
        ]
    }
    choices = merged_answer_choices(answer["choices"], single=True)
    counted = answer_usage(answer, choices, request)
    generated = ["Checking.", "weather", '{"city":"Paris"}']
    assert counted["completion_tokens"] == tokens.count(generated, "gpt-4o")
    reported = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    assert answer_usage({**answer, "usage": reported}, choices, request) is reported
