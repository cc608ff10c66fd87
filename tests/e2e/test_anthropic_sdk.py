"""The official `anthropic` Python SDK against a running gateway, on both routes: a model
Copilot serves natively on /v1/messages (`claude-sonnet-4`) and one translated to chat
(`gpt-4o`). Every exchange is checked by openapi-core against openapi/anthropic.yaml, and
every stream event against the spec's event schema."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx
import httpx2
import orjson
import pytest
from anthropic.types import MessageParam, ToolParam, ToolResultBlockParam
from anthropic.types.beta import BetaThinkingBlock

from conftest import API_KEY
from openapi_oracle import validate_chunk, validate_exchange
from servers import CopilotEmulator

DOCUMENT = "anthropic.yaml"
ROUTES = ["claude-sonnet-4", "gpt-4o"]  # native, translated
WEATHER: ToolParam = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def checked(response: httpx2.Response) -> None:
    if not response.headers.get("content-type", "").startswith("text/event-stream"):
        response.read()
    validate_exchange(response, DOCUMENT)  # type: ignore[arg-type]


@pytest.fixture
def sdk(gateway_url: str) -> Iterator[anthropic.Anthropic]:
    # The SDK's own HTTP client (httpx2, httpx's fork), with every exchange checked.
    http = httpx2.Client(event_hooks={"response": [checked]})
    with anthropic.Anthropic(
        base_url=gateway_url, api_key=API_KEY, max_retries=0, http_client=http
    ) as client:
        yield client


def sse_events(text: str) -> list[tuple[str, dict]]:
    """Named events of an Anthropic stream, each checked against the spec."""
    events = []
    for raw in text.strip().split("\n\n"):
        name_line, data_line = raw.split("\n")
        name, data = name_line.removeprefix("event: "), orjson.loads(data_line[len("data: ") :])
        assert data["type"] == name
        if name != "error":
            validate_chunk("MessageStreamEvent", data, DOCUMENT)
        events.append((name, data))
    return events


@pytest.mark.parametrize("model", ROUTES)
def test_create_answers_a_message(sdk: anthropic.Anthropic, model: str) -> None:
    message = sdk.messages.create(
        model=model, max_tokens=200, messages=[{"role": "user", "content": "Hello there"}]
    )
    assert message.type == "message" and message.role == "assistant"
    assert message.content[0].type == "text"
    assert "You said: Hello there" in message.content[0].text
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0


@pytest.mark.parametrize("model", ROUTES)
def test_max_tokens_stops_with_max_tokens(sdk: anthropic.Anthropic, model: str) -> None:
    message = sdk.messages.create(
        model=model, max_tokens=3, messages=[{"role": "user", "content": "Say a lot"}]
    )
    assert message.stop_reason == "max_tokens"


@pytest.mark.parametrize("model", ROUTES)
def test_stream_helpers_and_final_message(sdk: anthropic.Anthropic, model: str) -> None:
    with sdk.messages.stream(
        model=model,
        max_tokens=200,
        system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": "Stream, please"}],
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert "You said: Stream, please" in text
    assert final.content[-1].type == "text" and final.content[-1].text == text
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0


@pytest.mark.parametrize("model", ROUTES)
def test_tool_use_round_trip(
    sdk: anthropic.Anthropic, emulator: CopilotEmulator, model: str
) -> None:
    question: MessageParam = {"role": "user", "content": "What is the weather in Paris?"}
    first = sdk.messages.create(
        model=model,
        max_tokens=200,
        tools=[WEATHER],
        tool_choice={"type": "tool", "name": "get_weather"},
        messages=[question],
    )
    assert first.stop_reason == "tool_use"
    [call] = [block for block in first.content if block.type == "tool_use"]
    assert call.name == "get_weather" and isinstance(call.input, dict) and "city" in call.input
    result: ToolResultBlockParam = {
        "type": "tool_result",
        "tool_use_id": call.id,
        "content": "Sunny, 21 C",
    }
    second = sdk.messages.create(
        model=model,
        max_tokens=200,
        tools=[WEATHER],
        messages=[
            question,
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [result]},
        ],
    )
    assert second.stop_reason == "end_turn" and second.content[0].type == "text"
    # A turn of tool results is the agent's: it burns no premium request.
    assert emulator.state.seen_headers[-1]["x-initiator"] == "agent"


@pytest.mark.parametrize("model", ROUTES)
def test_streamed_tool_call_gives_its_input(sdk: anthropic.Anthropic, model: str) -> None:
    with sdk.messages.stream(
        model=model,
        max_tokens=200,
        tools=[WEATHER],
        tool_choice={"type": "any"},
        messages=[{"role": "user", "content": "Weather in Oslo?"}],
    ) as stream:
        final = stream.get_final_message()
    [call] = [block for block in final.content if block.type == "tool_use"]
    assert call.input == {"city": "emulated"} and final.stop_reason == "tool_use"


def test_native_route_passes_thinking_and_betas_through(
    sdk: anthropic.Anthropic, emulator: CopilotEmulator
) -> None:
    with sdk.beta.messages.stream(
        model="claude-sonnet-4",
        max_tokens=2000,
        thinking={"type": "enabled", "budget_tokens": 1024},
        betas=["interleaved-thinking-2025-05-14", "some-future-beta-2031-01-01"],
        messages=[{"role": "user", "content": "Think first"}],
    ) as stream:
        final = stream.get_final_message()
    assert [block.type for block in final.content] == ["thinking", "text"]
    thinking = final.content[0]
    assert isinstance(thinking, BetaThinkingBlock) and thinking.signature
    seen = emulator.state.seen_headers[-1]
    assert seen["anthropic-beta"] == "interleaved-thinking-2025-05-14,some-future-beta-2031-01-01"
    assert seen["anthropic-version"] == sdk.default_headers["anthropic-version"]
    assert seen["x-initiator"] == "user"


@pytest.mark.parametrize("model", ROUTES)
def test_every_stream_event_conforms_and_the_stream_ends_with_message_stop(
    client: httpx.Client, model: str
) -> None:
    body = {
        "model": model,
        "max_tokens": 200,
        "stream": True,
        "tools": [WEATHER],
        "messages": [{"role": "user", "content": "Events, please"}],
    }
    response = client.post("/v1/messages", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-1] == "message_stop"
    assert names[-2] == "message_delta" and "content_block_delta" in names
    assert events[-2][1]["delta"]["stop_reason"] == "end_turn"
    # Copilot's private accounting events are not relayed.
    assert set(names) <= {
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    }


@pytest.mark.parametrize("model", ROUTES)
def test_count_tokens(sdk: anthropic.Anthropic, model: str) -> None:
    short = sdk.messages.count_tokens(model=model, messages=[{"role": "user", "content": "Hi"}])
    longer = sdk.messages.count_tokens(
        model=model,
        system="You are a careful assistant.",
        tools=[WEATHER],
        messages=[{"role": "user", "content": "Hi, what is the weather like in Paris today?"}],
    )
    assert 0 < short.input_tokens < longer.input_tokens


def test_a_wrong_x_api_key_is_an_authentication_error(gateway_url: str) -> None:
    client = anthropic.Anthropic(base_url=gateway_url, api_key="sk-wrong", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as refused:
        client.messages.create(
            model="gpt-4o", max_tokens=10, messages=[{"role": "user", "content": "Hi"}]
        )
    assert refused.value.status_code == 401
    assert refused.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]
    assert refused.value.response.headers["request-id"]


def test_a_bearer_key_works_as_claude_code_sends_it(gateway_url: str) -> None:
    client = anthropic.Anthropic(base_url=gateway_url, auth_token=API_KEY, max_retries=0)
    message = client.messages.create(
        model="gpt-4o", max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
    )
    assert message.content[0].type == "text"


@pytest.mark.parametrize(
    "model", ["no-such-model", "gpt-41-copilot", "claude-opus-9", "text-embedding-3-small"]
)
def test_unknown_or_unusable_model_is_not_found(sdk: anthropic.Anthropic, model: str) -> None:
    with pytest.raises(anthropic.NotFoundError) as refused:
        sdk.messages.create(model=model, max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert refused.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
