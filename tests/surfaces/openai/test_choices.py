"""Upstream choices made OpenAI's: Claude's split answers merged, tool calls numbered from
0, and `tool_calls` as the finish reason whenever a tool was called."""

from __future__ import annotations

from typing import Any

import pytest

from copilot_gateway.surfaces.openai.choices import (
    StreamChoices,
    finish_reason,
    merged_answer_choices,
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
    choices = StreamChoices(single=True)
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
    choices = StreamChoices(single=True)
    numbers = []
    for upstream_index in (3, 7, 3, 9, 7):
        call = {"index": upstream_index, "function": {"arguments": "x"}}
        out = choices.normalise(delta_choice(0, tool_calls=[call]))
        assert out is not None
        numbers.append(out["delta"]["tool_calls"][0]["index"])
    assert numbers == [0, 1, 0, 2, 1]


def test_a_finish_with_content_is_sent_without_its_reason() -> None:
    choices = StreamChoices(single=True)
    out = choices.normalise(delta_choice(0, "length", content="last words"))
    assert out == {
        "index": 0,
        "delta": {"content": "last words"},
        "logprobs": None,
        "finish_reason": None,
    }
    assert choices.closing()[0]["finish_reason"] == "length"


def test_a_held_finish_other_than_stop_wins() -> None:
    choices = StreamChoices(single=True)
    choices.normalise(delta_choice(0, "length"))
    choices.normalise(delta_choice(1, "stop"))
    assert choices.closing()[0]["finish_reason"] == "length"


def test_a_plain_stream_closes_with_stop() -> None:
    choices = StreamChoices(single=True)
    assert choices.normalise(delta_choice(0, content="hi")) is not None
    assert choices.normalise(delta_choice(0, "stop")) is None
    closing = [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]
    assert choices.closing() == closing


def test_a_stream_that_never_finished_closes_with_nothing() -> None:
    choices = StreamChoices(single=True)
    choices.normalise(delta_choice(0, content="cut short"))
    assert choices.closing() == []


def test_several_choices_keep_their_index_and_finish_as_they_go() -> None:
    choices = StreamChoices(single=False)
    first = choices.normalise(delta_choice(1, tool_calls=[{"index": 5, "id": "c"}]))
    finished = choices.normalise(delta_choice(1, "stop"))
    other = choices.normalise(delta_choice(0, "stop"))
    assert first is not None and first["index"] == 1
    assert first["delta"]["tool_calls"][0]["index"] == 0
    assert finished == {"index": 1, "delta": {}, "logprobs": None, "finish_reason": "tool_calls"}
    assert other is not None and other["finish_reason"] == "stop"
    assert choices.closing() == []


def test_only_openais_delta_fields_pass() -> None:
    choices = StreamChoices(single=True)
    out = choices.normalise(
        delta_choice(0, content="x", copilot_annotations={"a": 1}, reasoning_text="secret")
    )
    assert out is not None and out["delta"] == {"content": "x"}
