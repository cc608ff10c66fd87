"""Offline token counting: which vocabulary a model uses, chat overhead, truncation, and
token ids back to text."""

from __future__ import annotations

from typing import Any

import pytest
import toktok

from copilot_gateway import tokens


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-3.5-turbo", "cl100k_base"),
        ("gpt-35-turbo", "cl100k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-0613", "cl100k_base"),
        ("GPT-4-Turbo", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4.1", "o200k_base"),
        ("gpt-5.4", "o200k_base"),
        ("claude-sonnet-4", "o200k_base"),
        ("gemini-3.1-pro-preview", "o200k_base"),
    ],
)
def test_encoding_for_model_family(model: str, encoding: str) -> None:
    assert tokens.encoding_for(model) == encoding


def test_the_vocabulary_decides_the_count() -> None:
    # The same text is split differently by the two vocabularies.
    text = "Здравствуйте, как дела? 日本語のテキスト"
    assert tokens.count([text], "gpt-4") != tokens.count([text], "gpt-4o")
    assert tokens.count([text, text], "gpt-4o") == 2 * tokens.count([text], "gpt-4o")
    assert tokens.count([], "gpt-4o") == 0


def test_count_prompt_adds_openais_overhead_per_message_name_and_reply() -> None:
    model = "gpt-4o"
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is the capital of France?", "name": "alice"},
    ]
    texts = ["system", "Be brief.", "user", "What is the capital of France?"]
    expected = tokens.count([*texts, "alice"], model) + 3 * 2 + 1 + 3
    assert tokens.count_prompt(messages, model) == expected


def test_count_prompt_counts_content_parts_and_tool_calls() -> None:
    model = "gpt-4o"
    call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"q":1}'}}
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": "look it up"}]},
        {"role": "assistant", "content": None, "tool_calls": [call]},
    ]
    plain = tokens.count_prompt(
        [{"role": "user", "content": "look it up"}, {"role": "assistant", "content": ""}], model
    )
    assert tokens.count_prompt(messages, model) == plain + tokens.count(
        ["lookup", '{"q":1}'], model
    )


@pytest.mark.parametrize("model", ["gpt-4", "gpt-4o"])
def test_decode_turns_token_ids_back_into_text(model: str) -> None:
    text = "hello world, token ids"
    ids = toktok._encoding(tokens.encoding_for(model)).encode(text)
    assert tokens.decode(ids, model) == text
    assert tokens.decode([], model) == ""


def test_decode_refuses_ids_outside_the_vocabulary() -> None:
    largest = toktok._encoding("o200k_base").max_token_value
    tokens.decode([largest], "gpt-4o")  # the last id is still in the vocabulary
    for outside in ([largest + 1], [-1], [0, 10**9]):
        with pytest.raises(ValueError, match="outside the vocabulary"):
            tokens.decode(outside, "gpt-4o")
