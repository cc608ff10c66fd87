"""The official openai SDK against a real gateway on loopback, its upstream the emulator."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

import openai
import pytest
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionMessageFunctionToolCall,
    ChatCompletionMessageParam,
    ChatCompletionNamedToolChoiceParam,
    ChatCompletionToolParam,
)

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator, Fault
from openapi_oracle import HttpxOpenAPIRequest, api, validate_chunk, validate_exchange
from servers import gateway_settings, serving

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Tell me about gateways"}]
RATE_LIMITED = '{"error": {"message": "Too many requests", "code": "rate_limit_exceeded"}}'


def validated(response: Any) -> None:
    """Every exchange the SDK makes, checked by openapi-core (streams: chunk by chunk below)."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        api().validate_request(HttpxOpenAPIRequest(response.request))
        return  # its chunks are checked as the test reads them
    response.read()
    validate_exchange(response)


def sdk_client(gateway_url: str, api_key: str = API_KEY, max_retries: int = 0) -> openai.OpenAI:
    http_client = openai.DefaultHttpxClient(event_hooks={"response": [validated]})
    return openai.OpenAI(
        base_url=f"{gateway_url}/v1",
        api_key=api_key,
        max_retries=max_retries,
        http_client=http_client,
    )


def checked(stream: Iterable[Any], schema: str = "CreateChatCompletionStreamResponse") -> list[Any]:
    """The chunks of an SDK stream, each validated as the JSON it arrived as."""
    chunks = list(stream)
    for chunk in chunks:
        validate_chunk(schema, chunk.to_dict())
    return chunks


@pytest.fixture
def sdk(gateway_url: str) -> Iterator[openai.OpenAI]:
    with sdk_client(gateway_url) as client:
        yield client


def test_models_list_and_retrieve(sdk: openai.OpenAI) -> None:
    ids = [model.id for model in sdk.models.list()]
    assert {"gpt-4.1", "gpt-4o", "claude-sonnet-4", "text-embedding-3-small"} <= set(ids)
    assert "gpt-41-copilot" not in ids  # a completion-only model cannot be called on chat
    assert sdk.models.retrieve("gpt-4o").id == "gpt-4o"


def test_chat_completion(sdk: openai.OpenAI) -> None:
    completion = sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert completion.id.startswith("chatcmpl-")
    assert completion.object == "chat.completion"
    assert completion.model == "gpt-4o"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert "Tell me about gateways" in (choice.message.content or "")
    assert (
        completion.usage
        and completion.usage.total_tokens
        == completion.usage.prompt_tokens + completion.usage.completion_tokens
    )


def test_chat_ids_are_unique(sdk: openai.OpenAI) -> None:
    ids = {sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES).id for _ in range(3)}
    assert len(ids) == 3


def test_chat_stream_matches_the_plain_answer(sdk: openai.OpenAI) -> None:
    plain = sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    chunks = checked(sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True))
    assert len({chunk.id for chunk in chunks}) == 1
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == plain.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(chunk.usage is None for chunk in chunks)


def test_chat_stream_include_usage_ends_with_usage_chunk(sdk: openai.OpenAI) -> None:
    chunks = checked(
        sdk.chat.completions.create(
            model="gpt-4o",
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    plain = sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert plain.usage is not None
    assert last.usage.model_dump() == plain.usage.model_dump()


def first_function_call(completion: ChatCompletion) -> ChatCompletionMessageFunctionToolCall:
    """The first tool call of the first choice, a function call."""
    calls = completion.choices[0].message.tool_calls
    assert calls, "expected tool calls"
    assert isinstance(calls[0], ChatCompletionMessageFunctionToolCall)
    return calls[0]


TOOLS: list[ChatCompletionToolParam] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
                "required": ["city"],
            },
        },
    }
]


def test_forced_tool_choice_gives_a_tool_call_with_json_arguments(sdk: openai.OpenAI) -> None:
    completion = sdk.chat.completions.create(
        model="gpt-4o",
        messages=MESSAGES,
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = first_function_call(completion)
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "emulated", "unit": "c"}


def test_streamed_tool_call_arguments_reassemble(sdk: openai.OpenAI) -> None:
    stream = sdk.chat.completions.create(
        model="gpt-4o",
        messages=MESSAGES,
        tools=TOOLS,
        tool_choice="required",
        stream=True,
    )
    arguments = ""
    names: list[str] = []
    reasons: list[str] = []
    for chunk in checked(stream):
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                names += [call.function.name] if call.function and call.function.name else []
                arguments += (call.function.arguments or "") if call.function else ""
            reasons += [choice.finish_reason] if choice.finish_reason else []
    assert names == ["get_weather"] and json.loads(arguments)["city"] == "emulated"
    assert reasons == ["tool_calls"]


def test_n_gives_n_distinct_choices(sdk: openai.OpenAI) -> None:
    completion = sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES, n=3)
    assert [c.index for c in completion.choices] == [0, 1, 2]
    assert len({c.message.content for c in completion.choices}) == 3


def test_max_tokens_reaching_the_limit_finishes_with_length(sdk: openai.OpenAI) -> None:
    completion = sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES, max_tokens=3)
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage and completion.usage.completion_tokens == 3
    newer = sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES, max_completion_tokens=2)
    assert newer.choices[0].finish_reason == "length"


def test_response_format_json_object(sdk: openai.OpenAI) -> None:
    completion = sdk.chat.completions.create(
        model="gpt-4o",
        messages=MESSAGES,
        response_format={"type": "json_object"},
    )
    assert "reply" in json.loads(completion.choices[0].message.content or "")


def test_legacy_completion(sdk: openai.OpenAI) -> None:
    completion = sdk.completions.create(model="gpt-4o", prompt="Say hello", max_tokens=50)
    assert completion.object == "text_completion" and completion.id.startswith("cmpl-")
    assert "Say hello" in completion.choices[0].text
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage and completion.usage.completion_tokens > 0


def test_legacy_completion_defaults_to_16_tokens(sdk: openai.OpenAI) -> None:
    completion = sdk.completions.create(model="gpt-4o", prompt="Say hello " * 20)
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage and completion.usage.completion_tokens == 16


def test_legacy_completion_with_several_prompts_numbers_choices(sdk: openai.OpenAI) -> None:
    completion = sdk.completions.create(
        model="gpt-4o", prompt=["first", "second"], n=2, max_tokens=50
    )
    assert [c.index for c in completion.choices] == [0, 1, 2, 3]
    assert "first" in completion.choices[1].text and "second" in completion.choices[2].text


def test_legacy_completion_stream(sdk: openai.OpenAI) -> None:
    plain = sdk.completions.create(model="gpt-4o", prompt="Stream me", max_tokens=50)
    chunks = checked(
        sdk.completions.create(
            model="gpt-4o",
            prompt="Stream me",
            max_tokens=50,
            stream=True,
            stream_options={"include_usage": True},
        ),
        "CreateCompletionStreamResponse",
    )
    text = "".join(c.choices[0].text for c in chunks if c.choices)
    assert text == plain.choices[0].text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert plain.usage is not None
    assert (
        chunks[-1].usage is not None
        and chunks[-1].usage.completion_tokens == plain.usage.completion_tokens
    )


def test_embeddings_float_base64_and_dimensions(sdk: openai.OpenAI) -> None:
    inputs = ["alpha", "beta", "alpha"]
    as_base64 = sdk.embeddings.create(
        model="text-embedding-3-small", input=inputs
    )  # the SDK asks base64
    as_float = sdk.embeddings.create(
        model="text-embedding-3-small", input=inputs, encoding_format="float"
    )
    assert [d.index for d in as_float.data] == [0, 1, 2]
    vectors = [d.embedding for d in as_float.data]
    assert len(vectors[0]) == 1536
    assert vectors[0] == vectors[2] and vectors[0] != vectors[1]
    assert abs(sum(v * v for v in vectors[1]) - 1) < 1e-6
    decoded = [d.embedding for d in as_base64.data]
    assert all(abs(a - b) < 1e-6 for a, b in zip(decoded[1], vectors[1], strict=True))
    small = sdk.embeddings.create(
        model="text-embedding-3-small", input="alpha", dimensions=8, encoding_format="float"
    )
    assert len(small.data[0].embedding) == 8
    assert as_float.usage.prompt_tokens == as_float.usage.total_tokens > 0


def test_embeddings_of_token_arrays_equal_those_of_their_text(sdk: openai.OpenAI) -> None:
    import toktok

    ids = toktok._encoding("cl100k_base").encode("hello world")
    by_ids = sdk.embeddings.create(
        model="text-embedding-3-small", input=[ids], encoding_format="float"
    )
    by_text = sdk.embeddings.create(
        model="text-embedding-3-small", input="hello world", encoding_format="float"
    )
    assert by_ids.data[0].embedding == by_text.data[0].embedding


def test_sdk_error_classes(sdk: openai.OpenAI, gateway_url: str) -> None:
    with pytest.raises(openai.NotFoundError) as not_found:
        sdk.models.retrieve("no-such-model")
    assert not_found.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as bad:
        # A user message without its content, on purpose: the SDK's types require it.
        sdk.chat.completions.create(model="gpt-4o", messages=[{"role": "user"}])  # type: ignore[typeddict-item]
    assert bad.value.param == "messages[0].content"
    wrong = sdk_client(gateway_url, api_key="sk-wrong")
    with wrong, pytest.raises(openai.AuthenticationError):
        wrong.models.list()


def test_rate_limit_error_carries_retry_after(gateway_url: str, emulator: CopilotEmulator) -> None:
    emulator.state.faults.append(Fault(status=429, headers={"retry-after": "7"}, body=RATE_LIMITED))
    with sdk_client(gateway_url) as sdk, pytest.raises(openai.RateLimitError) as limited:
        sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert limited.value.response.headers["retry-after"] == "7"
    assert limited.value.code == "rate_limit_exceeded"


def test_sdk_retries_after_the_time_the_gateway_passes_on(
    emulator_url: str, emulator: CopilotEmulator
) -> None:
    """A gateway that does not retry itself passes retry-after on; the SDK honours it."""
    with (
        serving(gateway_settings(emulator_url, upstream_retries=0)) as url,
        sdk_client(url, max_retries=1) as sdk,
    ):
        sdk.models.list()  # token and model list fetched before the fault
        calls_before = len(emulator.state.seen_headers)
        emulator.state.faults.append(
            Fault(status=429, headers={"retry-after": "2"}, body=RATE_LIMITED)
        )
        started = time.monotonic()
        completion = sdk.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert completion.choices[0].finish_reason == "stop"
    assert len(emulator.state.seen_headers) - calls_before == 2  # refused once, then served
    # The SDK's own backoff is under a second; waiting 2 s means it honoured retry-after.
    assert time.monotonic() - started >= 2


def test_claude_split_choices_reach_the_sdk_as_one_tool_call(sdk: openai.OpenAI) -> None:
    """Copilot's Claude puts text and tool calls in two choices, numbers calls from 1 and
    finishes with `stop`: the client sees one choice, call 0, finish `tool_calls`."""
    forced: ChatCompletionNamedToolChoiceParam = {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    completion = sdk.chat.completions.create(
        model="claude-sonnet-4",
        messages=MESSAGES,
        tools=TOOLS,
        tool_choice=forced,
    )
    (choice,) = completion.choices
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "I will call get_weather."
    assert first_function_call(completion).function.name == "get_weather"

    stream = sdk.chat.completions.create(
        model="claude-sonnet-4",
        messages=MESSAGES,
        tools=TOOLS,
        tool_choice=forced,
        stream=True,
    )
    chunks = checked(stream)
    assert {c.index for chunk in chunks for c in chunk.choices} == {0}
    calls = [call for chunk in chunks for c in chunk.choices for call in c.delta.tool_calls or []]
    assert {call.index for call in calls} == {0}
    pieces = [call.function.arguments or "" for call in calls if call.function]
    assert len(pieces) == len(calls)  # every call's delta carries its function's arguments
    assert json.loads("".join(pieces))["city"] == "emulated"
    finishes = [c.finish_reason for chunk in chunks for c in chunk.choices if c.finish_reason]
    assert finishes == ["tool_calls"]
