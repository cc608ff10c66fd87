"""Usage in every shape the gateway speaks: what the upstream reported, else counted
offline; and chat's usage to and from the Responses API's and Anthropic's."""

from __future__ import annotations

import pytest

from copilot_gateway import tokens, usage


def test_usage_the_upstream_reported_is_kept_as_it_is() -> None:
    reported = {"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8, "extra": True}
    messages = [{"role": "user", "content": "hi"}]
    counted = usage.reported_or_counted(reported, "gpt-4o", messages=messages, generated=["x"])
    assert counted is reported


@pytest.mark.parametrize("reported", [None, [], "12", 12])
def test_usage_not_reported_is_counted_from_messages(reported: object) -> None:
    messages = [{"role": "user", "content": "count these words please"}]
    generated = ["Here are ", "the words."]
    counted = usage.reported_or_counted(reported, "gpt-4o", messages=messages, generated=generated)
    prompt = tokens.count_prompt(messages, "gpt-4o")
    completion = tokens.count(generated, "gpt-4o")
    assert counted == {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def test_usage_not_reported_is_counted_from_plain_inputs() -> None:
    inputs = ["first input", "second input"]
    counted = usage.reported_or_counted(None, "text-embedding-3-small", inputs=inputs)
    prompt = tokens.count(inputs, "text-embedding-3-small")
    assert counted == {"prompt_tokens": prompt, "completion_tokens": 0, "total_tokens": prompt}
    # Plain inputs carry no chat overhead.
    assert prompt < tokens.count_prompt(
        [{"role": "user", "content": i} for i in inputs], "text-embedding-3-small"
    )


CHAT = {
    "prompt_tokens": 10,
    "completion_tokens": 4,
    "total_tokens": 14,
    "prompt_tokens_details": {"cached_tokens": 6},
    "completion_tokens_details": {"reasoning_tokens": 2},
}
RESPONSES = {
    "input_tokens": 10,
    "input_tokens_details": {"cached_tokens": 6, "cache_write_tokens": 0},
    "output_tokens": 4,
    "output_tokens_details": {"reasoning_tokens": 2},
    "total_tokens": 14,
}


def test_chat_usage_as_the_responses_api_counts_it_and_back() -> None:
    assert usage.responses_from_chat(CHAT) == RESPONSES
    assert usage.chat_from_responses(RESPONSES) == CHAT


def test_a_bare_usage_gets_every_field_with_zeros_and_its_total() -> None:
    bare = usage.responses_from_chat({"prompt_tokens": 1, "completion_tokens": 2})
    assert bare["total_tokens"] == 3
    assert bare["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}
    assert bare["output_tokens_details"] == {"reasoning_tokens": 0}
    assert usage.chat_from_responses({"input_tokens": 5})["total_tokens"] == 5


def test_chat_usage_as_anthropic_counts_it() -> None:
    assert usage.anthropic_from_chat(CHAT) == {"input_tokens": 10, "output_tokens": 4}
    assert usage.anthropic_from_chat({}) == {"input_tokens": 0, "output_tokens": 0}


def test_anthropics_usage_counts_cached_reads_and_writes_in_the_prompt() -> None:
    reported = {
        "input_tokens": 3,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 20,
        "output_tokens": 7,
    }
    assert usage.chat_from_anthropic(reported) == {
        "prompt_tokens": 123,
        "completion_tokens": 7,
        # which of them were cached, for the request's price (reads and writes cost apart)
        "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 20},
    }


def test_anthropics_usage_says_only_what_it_was_told() -> None:
    # A stream's message_start tells the prompt only; malformed counts count as nothing.
    assert usage.chat_from_anthropic({"input_tokens": 3}) == {"prompt_tokens": 3}
    assert usage.chat_from_anthropic({"input_tokens": "3", "output_tokens": True}) == {
        "prompt_tokens": 0
    }
    assert usage.chat_from_anthropic(None) == {}
