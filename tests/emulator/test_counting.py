"""The emulator counts tokens by the vocabulary a model's catalogue entry names, and chat
prompts as OpenAI's cookbook does."""

from __future__ import annotations

import toktok

from copilot_gateway.emulator import counting


def tokens(text: str, vocabulary: str = "o200k_base") -> int:
    return toktok.batch_count([text], vocabulary)[0]


def test_the_vocabulary_is_the_catalogues() -> None:
    assert counting.tokenizer_of("gpt-4o") == "o200k_base"
    assert counting.tokenizer_of("text-embedding-3-small") == "cl100k_base"
    text = "Tokenizers disagree about 🧠 and ∑"
    assert counting.count([text], "text-embedding-3-small") == tokens(text, "cl100k_base")


def test_a_prompt_costs_its_texts_and_three_a_message_one_a_name_three_for_the_reply() -> None:
    messages: list[dict] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "name": "ann", "content": [{"type": "text", "text": "Hi there"}]},
    ]
    texts = ["system", "Be brief.", "user", "Hi there", "ann"]
    assert counting.prompt_tokens(messages, "gpt-4o") == sum(map(tokens, texts)) + 3 * 2 + 1 + 3


def test_a_prompt_counts_the_tool_calls_it_holds() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    messages = [{"role": "assistant", "content": None, "tool_calls": [call]}]
    texts = ["assistant", "", "get_weather", "{}"]
    assert counting.prompt_tokens(messages, "gpt-4o") == sum(map(tokens, texts)) + 3 + 3


def test_a_cut_keeps_a_start_within_the_limit_and_says_the_whole() -> None:
    text = "one two three four five"
    kept, total = counting.cut(text, 2, "gpt-4o")
    assert text.startswith(kept) and tokens(kept) == 2 and total == tokens(text)
