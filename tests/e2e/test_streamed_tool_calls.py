"""Streamed tool calls through every translation, read with the official SDKs' own stream
helpers (the path Codex, the Agents SDK and Claude Code's clients take when they stream):

- the Responses API for models Copilot serves only on chat (`gpt-4o`; `claude-sonnet-4`,
  whose text and call come in separate choices): chat chunks become Responses events;
- Anthropic's Messages for a model served over chat (`gpt-4o`): `input_json_delta`s;
- chat completions for a model Copilot serves only on /responses (`gpt-5.3-codex`): Responses
  events become chat chunks with tool-call deltas.

Every request goes over real HTTP to the shared gateway, its upstream the emulator; the
emulator calls the tool it is asked to (`tool_choice` required or `any`) with arguments it
builds from the tool's schema (`{"city": "emulated"}` for this one).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import anthropic
import httpx2
import openai
import pytest
from anthropic.lib.streaming import InputJsonEvent
from anthropic.types import (
    InputJSONDelta,
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    ToolParam,
    ToolUseBlock,
)
from openai.types.chat import ChatCompletionFunctionToolParam
from openai.types.responses import FunctionToolParam
from test_anthropic_sdk import checked
from test_openai_sdk import sdk_client
from test_responses_sdk import checked_events

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator
from openapi_oracle import validate_chunk

# One tool, as each API declares it; the emulator builds its arguments from the schema.
NAME, DESCRIPTION = "get_weather", "The weather in a city."
PARAMETERS: dict[str, object] = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}
ARGUMENTS = {"city": "emulated"}
WEATHER: FunctionToolParam = {
    "type": "function",
    "name": NAME,
    "description": DESCRIPTION,
    "parameters": PARAMETERS,
    "strict": True,
}
CHAT_WEATHER: ChatCompletionFunctionToolParam = {
    "type": "function",
    "function": {"name": NAME, "description": DESCRIPTION, "parameters": PARAMETERS},
}
MESSAGES_WEATHER: ToolParam = {
    "name": NAME,
    "description": DESCRIPTION,
    "input_schema": PARAMETERS,
}


@pytest.fixture
def sdk(gateway_url: str) -> Iterator[openai.OpenAI]:
    with sdk_client(gateway_url) as client:
        yield client


@pytest.fixture
def messages_sdk(gateway_url: str) -> Iterator[anthropic.Anthropic]:
    http = httpx2.Client(event_hooks={"response": [checked]})  # every exchange checked
    with anthropic.Anthropic(
        base_url=gateway_url, api_key=API_KEY, max_retries=0, http_client=http
    ) as client:
        yield client


@pytest.mark.parametrize("model", ["gpt-4o", "claude-sonnet-4"])
def test_responses_stream_of_a_chat_model_streams_the_function_call(
    sdk: openai.OpenAI, emulator: CopilotEmulator, model: str
) -> None:
    with sdk.responses.stream(
        model=model, input="Weather in Paris?", tools=[WEATHER], tool_choice="required"
    ) as stream:
        events = checked_events(stream)  # each against the spec, numbered from 0
        final = stream.get_final_response()
    assert not emulator.state.responses_requests  # translated: the upstream was asked on chat
    [call] = [item for item in final.output if item.type == "function_call"]
    index = final.output.index(call)
    assert (call.name, call.status) == ("get_weather", "completed")
    assert json.loads(call.arguments) == ARGUMENTS

    of_call = [event for event in events if getattr(event, "output_index", None) == index]
    kinds = [event.type for event in of_call]
    assert kinds[0] == "response.output_item.added" and kinds[-1] == "response.output_item.done"
    assert kinds[-2] == "response.function_call_arguments.done"
    assert set(kinds[1:-2]) == {"response.function_call_arguments.delta"}
    added, deltas, done = of_call[0], of_call[1:-2], of_call[-2]
    assert added.item.type == "function_call" and added.item.call_id == call.call_id
    assert added.item.status == "in_progress" and added.item.arguments == ""
    # The arguments arrive in pieces (the emulator streams them in two), each delta adding to
    # the SDK's snapshot, and are whole in `.done` and in the final response.
    assert len(deltas) >= 2
    assert "".join(delta.delta for delta in deltas) == done.arguments == call.arguments
    assert deltas[-1].snapshot == call.arguments
    assert done.name == "get_weather" and done.item_id == added.item.id
    # Whatever came before the call (Claude's text, in a choice of its own) was done first.
    before = events[: events.index(added)]
    finished = [e.output_index for e in before if e.type == "response.output_item.done"]
    assert finished == list(range(index))
    assert final.status == "completed" and events[-1].type == "response.completed"


def test_messages_stream_over_chat_assembles_the_tool_input(
    messages_sdk: anthropic.Anthropic, emulator: CopilotEmulator
) -> None:
    with messages_sdk.messages.stream(
        model="gpt-4o",  # served on chat: the Messages call is translated
        max_tokens=200,
        tools=[MESSAGES_WEATHER],
        tool_choice={"type": "any"},
        messages=[{"role": "user", "content": "Weather in Oslo?"}],
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    [block] = [block for block in final.content if isinstance(block, ToolUseBlock)]
    assert block.name == "get_weather" and block.input == ARGUMENTS
    assert final.stop_reason == "tool_use"
    index = final.content.index(block)
    raw = [event for event in events if getattr(event, "index", None) == index]
    kinds = [event.type for event in raw]
    assert kinds[0] == "content_block_start" and kinds[-1] == "content_block_stop"
    start = raw[0]
    assert isinstance(start, RawContentBlockStartEvent)
    assert isinstance(start.content_block, ToolUseBlock) and start.content_block.id == block.id
    assert start.content_block.input == {}
    pieces = [
        event.delta.partial_json
        for event in raw
        if isinstance(event, RawContentBlockDeltaEvent) and isinstance(event.delta, InputJSONDelta)
    ]
    assert len(pieces) >= 2  # the input arrives in pieces, valid JSON only once all are in
    assert json.loads("".join(pieces)) == ARGUMENTS
    # The SDK's own accumulation of those pieces (its `input_json` events) agrees.
    snapshots = [event.snapshot for event in events if isinstance(event, InputJsonEvent)]
    assert snapshots and snapshots[-1] == ARGUMENTS
    assert events[-1].type == "message_stop"
    assert not emulator.state.responses_requests


def test_chat_stream_of_a_responses_only_model_assembles_the_tool_call(
    sdk: openai.OpenAI, emulator: CopilotEmulator
) -> None:
    with sdk.chat.completions.stream(
        model="gpt-5.3-codex",  # served only on /responses: the chat call is translated
        messages=[{"role": "user", "content": "Weather in Rome?"}],
        tools=[CHAT_WEATHER],
        tool_choice="required",
        stream_options={"include_usage": True},
    ) as stream:
        events = list(stream)
        final = stream.get_final_completion()
    chunks = [event.chunk for event in events if event.type == "chunk"]
    for chunk in chunks:
        validate_chunk("CreateChatCompletionStreamResponse", chunk.to_dict())
    [upstream] = emulator.state.responses_requests  # the upstream was asked on /responses
    assert [tool["name"] for tool in upstream["tools"]] == ["get_weather"]

    [choice] = final.choices
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls or []
    assert call.type == "function" and call.function.name == "get_weather"
    assert call.id.startswith("call_")
    assert json.loads(call.function.arguments) == ARGUMENTS
    deltas = [e for e in events if e.type == "tool_calls.function.arguments.delta"]
    [done] = [e for e in events if e.type == "tool_calls.function.arguments.done"]
    assert deltas and all(e.name == "get_weather" and e.index == 0 for e in deltas)
    assert "".join(e.arguments_delta for e in deltas) == done.arguments
    assert done.arguments == call.function.arguments and done.index == 0
    # The call's id and name came once, in its first delta; later deltas carry arguments.
    call_deltas = [
        tool_call
        for chunk in chunks
        for streamed in chunk.choices
        for tool_call in streamed.delta.tool_calls or []
    ]
    head = call_deltas[0]
    assert head.id == call.id and head.function and head.function.name == "get_weather"
    assert all(later.id is None for later in call_deltas[1:])
    assert chunks[-1].usage and chunks[-1].usage.completion_tokens > 0
