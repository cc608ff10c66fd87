"""Legacy completions over chat: prompts in every form, the chat request made of each,
finish reasons the legacy API knows, and choices numbered prompt by prompt."""

from __future__ import annotations

import asyncio

import orjson
import pytest
import toktok

from copilot_gateway.errors import InvalidRequest
from copilot_gateway.surfaces.openai import completions, legacy
from copilot_gateway.surfaces.openai.endpoints import CHAT
from copilot_gateway.upstreams.base import Json
from memory_upstream import MemoryUpstream, call_to


def ids(text: str, model: str = "gpt-4o") -> list[int]:
    return list(toktok._encoding("o200k_base" if model == "gpt-4o" else "cl100k_base").encode(text))


@pytest.mark.parametrize(
    ("prompt", "texts"),
    [
        ("Say this", ["Say this"]),
        (["one", "two"], ["one", "two"]),
        (ids("token ids"), ["token ids"]),
        ([ids("first"), ids("second")], ["first", "second"]),
        ("", [""]),
        ([], [""]),
        (None, [""]),
    ],
)
def test_a_prompt_in_every_form_becomes_texts(prompt: object, texts: list[str]) -> None:
    assert legacy.prompts({"model": "gpt-4o", "prompt": prompt}) == texts


def test_a_missing_prompt_is_one_empty_prompt() -> None:
    assert legacy.prompts({"model": "gpt-4o"}) == [""]


def test_token_ids_are_read_in_the_models_vocabulary() -> None:
    assert legacy.prompts({"model": "gpt-4", "prompt": ids("hello there", "gpt-4")}) == [
        "hello there"
    ]


def test_token_ids_outside_the_vocabulary_are_a_400_on_prompt() -> None:
    with pytest.raises(InvalidRequest) as refused:
        legacy.prompts({"model": "gpt-4o", "prompt": [[1, 2], [10**9]]})
    assert (refused.value.status, refused.value.param) == (400, "prompt")


def test_the_chat_request_carries_what_chat_understands_and_one_user_message() -> None:
    body = {
        "model": "gpt-4o",
        "prompt": "ignored here",
        "n": 2,
        "stop": ["\n"],
        "temperature": 0.5,
        "top_p": 0.9,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "logit_bias": {"50256": -100},
        "seed": 7,
        "user": "u1",
        "max_tokens": 40,
        # Legacy-only fields chat would refuse or misread:
        "echo": True,
        "suffix": "end",
        "best_of": 3,
        "logprobs": 2,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    chat = legacy.chat_request(body, "Say this")
    assert chat == {
        "model": "gpt-4o",
        "n": 2,
        "stop": ["\n"],
        "temperature": 0.5,
        "top_p": 0.9,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "logit_bias": {"50256": -100},
        "seed": 7,
        "user": "u1",
        "messages": [{"role": "user", "content": "Say this"}],
        "max_tokens": 40,
    }


def test_max_tokens_defaults_to_the_legacy_16_and_nulls_are_left_out() -> None:
    chat = legacy.chat_request({"model": "gpt-4o", "temperature": None, "max_tokens": None}, "x")
    assert chat == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "x"}],
        "max_tokens": 16,
    }
    assert legacy.chat_request({"model": "gpt-4o", "max_tokens": 0}, "x")["max_tokens"] == 0


@pytest.mark.parametrize(
    ("chat_reason", "reason"),
    [
        ("stop", "stop"),
        ("length", "length"),
        ("content_filter", "content_filter"),
        ("tool_calls", "stop"),
        ("function_call", "stop"),
        (None, None),
    ],
)
def test_finish_reasons_are_the_three_legacy_ones(chat_reason: str | None, reason: str) -> None:
    assert legacy.finish_reason(chat_reason) == reason


def test_a_text_choice_has_every_field() -> None:
    assert legacy.text_choice(3, "hi", "stop") == {
        "text": "hi",
        "index": 3,
        "logprobs": None,
        "finish_reason": "stop",
    }


def chat_answer(*texts: str) -> Json:
    choices = [
        {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
        for i, t in enumerate(texts)
    ]
    return {"choices": choices, "usage": {"prompt_tokens": 5, "completion_tokens": 2}}


def test_prompt_ps_choice_c_has_index_p_times_n_plus_c() -> None:
    upstream = MemoryUpstream(
        answers=[chat_answer("a0", "a1"), chat_answer("b0", "b1"), chat_answer("c0", "c1")]
    )
    body = {"model": "gpt-4o", "prompt": ["A", "B", "C"], "n": 2}
    answer = asyncio.run(completions.complete(call_to(upstream), body, ["A", "B", "C"]))
    assert [(c["index"], c["text"]) for c in answer["choices"]] == [
        (0, "a0"),
        (1, "a1"),
        (2, "b0"),
        (3, "b1"),
        (4, "c0"),
        (5, "c1"),
    ]
    assert [request[1]["messages"][0]["content"] for request in upstream.requests] == [
        "A",
        "B",
        "C",
    ]
    assert all(request[0] == CHAT for request in upstream.requests)
    assert answer["usage"] == {"prompt_tokens": 15, "completion_tokens": 6, "total_tokens": 21}


def test_streamed_choices_are_numbered_the_same_way() -> None:
    def stream_of(*texts: str) -> list[Json]:
        return [
            {"choices": [{"index": i, "delta": {"content": t}, "finish_reason": "stop"}]}
            for i, t in enumerate(texts)
        ]

    upstream = MemoryUpstream(streams=[stream_of("a0", "a1"), stream_of("b0", "b1")])
    body = {"model": "gpt-4o", "prompt": ["A", "B"], "n": 2, "stream": True}

    async def relay() -> list[bytes]:
        events = await completions.stream(call_to(upstream), body, ["A", "B"])
        return [event async for event in events]

    events = asyncio.run(relay())
    assert events[-1] == b"data: [DONE]\n\n"
    chunks = [orjson.loads(event.removeprefix(b"data: ")) for event in events[:-1]]
    assert [(c["choices"][0]["index"], c["choices"][0]["text"]) for c in chunks] == [
        (0, "a0"),
        (1, "a1"),
        (2, "b0"),
        (3, "b1"),
    ]
    assert len({chunk["id"] for chunk in chunks}) == 1


def test_one_answer_split_across_choices_is_one_legacy_choice() -> None:
    """Copilot's Claude splits an answer across choices: asked for one, a client gets one."""
    split = {
        "choices": [
            {"index": 0, "message": {"content": "Part one, "}, "finish_reason": "stop"},
            {"index": 1, "message": {"content": "part two."}, "finish_reason": "length"},
        ]
    }
    upstream = MemoryUpstream(answers=[split])
    body = {"model": "gpt-4o", "prompt": "P"}
    answer = asyncio.run(completions.complete(call_to(upstream), body, ["P"]))
    assert [(c["index"], c["text"], c["finish_reason"]) for c in answer["choices"]] == [
        (0, "Part one, part two.", "length")
    ]


def test_a_streamed_answer_split_across_choices_streams_as_one_choice_finishing_last() -> None:
    split = [
        {"choices": [{"index": 0, "delta": {"content": "Part one, "}, "finish_reason": "stop"}]},
        {"choices": [{"index": 1, "delta": {"content": "part two."}, "finish_reason": "stop"}]},
    ]
    upstream = MemoryUpstream(streams=[split])
    body = {"model": "gpt-4o", "prompt": "P", "stream": True, "echo": True}

    async def relay() -> list[bytes]:
        events = await completions.stream(call_to(upstream), body, ["P"])
        return [event async for event in events]

    events = asyncio.run(relay())
    chunks = [orjson.loads(event.removeprefix(b"data: ")) for event in events[:-1]]
    sent = [(c["choices"][0]["index"], c["choices"][0]["text"]) for c in chunks]
    assert sent == [(0, "PPart one, "), (0, "part two."), (0, "")]
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, None, "stop"]
