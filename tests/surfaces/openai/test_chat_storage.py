"""What `store: true` keeps, as pure functions: a stream folded back into one completion,
and request messages as the API lists them."""

from __future__ import annotations

from copilot_gateway.surfaces.openai.chat_storage import (
    FoldedStream,
    stored_message,
    upstream_body,
)
from copilot_gateway.surfaces.openai.stored_completions import listed
from openapi_oracle import validate_chunk

USAGE = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}


def call_delta(index: int, **function: str) -> dict:
    return {"index": index, "function": function}


def test_a_stream_folds_into_the_completion_its_chunks_spell() -> None:
    folded = FoldedStream()
    folded.read([{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}])
    folded.read([{"index": 1, "delta": {"content": "Other"}, "finish_reason": "length"}])
    folded.read([{"index": 0, "delta": {"content": "lo"}}])
    first = {"id": "call_1", "type": "function", **call_delta(0, name="f", arguments='{"a"')}
    folded.read([{"index": 0, "delta": {"tool_calls": [first]}}])
    folded.read([{"index": 0, "delta": {"tool_calls": [call_delta(1, name="g", arguments="{}")]}}])
    folded.read([{"index": 0, "delta": {"tool_calls": [call_delta(0, arguments=": 1}")]}}])
    folded.read([{"index": 0, "delta": {}, "finish_reason": "tool_calls"}])
    completion = folded.completion("chatcmpl-1", 7, "gpt-4o", USAGE)
    validate_chunk("CreateChatCompletionResponse", completion)
    zero, one = completion["choices"]
    assert zero["message"]["content"] == "Hello" and zero["finish_reason"] == "tool_calls"
    assert [c["function"] for c in zero["message"]["tool_calls"]] == [
        {"name": "f", "arguments": '{"a": 1}'},
        {"name": "g", "arguments": "{}"},
    ]
    assert zero["message"]["tool_calls"][0]["id"] == "call_1"
    assert (one["index"], one["message"]["content"], one["finish_reason"]) == (1, "Other", "length")
    assert one["message"]["refusal"] is None and "tool_calls" not in one["message"]


def test_a_message_sent_as_parts_is_listed_with_its_text_and_its_parts() -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}
    audio = {"type": "input_audio", "input_audio": {"data": "AA", "format": "wav"}}
    parts = [{"type": "text", "text": "look "}, image, audio, {"type": "text", "text": "here"}]
    listed_message = stored_message(
        "chatcmpl-1", 2, {"role": "user", "content": parts, "name": "ann"}
    )
    assert listed_message == {
        "id": "chatcmpl-1-2",
        "role": "user",
        "content": "look here",
        "refusal": None,
        "content_parts": [parts[0], image, parts[3]],  # what the list's schema holds
        "name": "ann",
    }
    tool = stored_message("c", 0, {"role": "tool", "content": "42", "tool_call_id": "call_1"})
    assert tool["content"] == "42" and tool["content_parts"] is None
    assert tool["tool_call_id"] == "call_1"
    validate_chunk("ChatCompletionMessageList", listed([listed_message, tool], has_more=False))


def test_the_upstream_hears_nothing_of_store_or_metadata() -> None:
    body = {"model": "m", "messages": [], "store": True, "metadata": {"a": "b"}, "n": 1}
    assert upstream_body(body) == {"model": "m", "messages": [], "n": 1}
