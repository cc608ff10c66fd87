"""The official openai SDK's Responses API against a real gateway on loopback, its upstream
the emulator: translated through chat (`gpt-4o`) and passed through natively (`gpt-5.3-codex`,
served only on /responses; `gpt-5-mini`, served on both)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pydantic
import pytest
from openai.types.chat import ChatCompletionToolParam
from openai.types.responses import (
    FunctionToolParam,
    ResponseInputMessageItem,
    ResponseInputText,
    ResponseItem,
    ResponseOutputMessage,
    ResponseOutputText,
)
from test_openai_sdk import first_function_call, sdk_client

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator, Fault
from openapi_oracle import validate_chunk
from servers import gateway_app, gateway_settings, running

TRANSLATED, NATIVE = "gpt-4o", "gpt-5.3-codex"
ROUTES = pytest.mark.parametrize("model", [TRANSLATED, NATIVE])
WEATHER_PARAMETERS: dict[str, object] = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}
WEATHER: FunctionToolParam = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": WEATHER_PARAMETERS,
    "strict": True,
}
IMAGE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4"
    "DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


@pytest.fixture
def sdk(gateway_url: str) -> Iterator[openai.OpenAI]:
    with sdk_client(gateway_url) as client:
        yield client


def checked_events(stream: Any) -> list[Any]:
    """A Responses stream's events, each checked against the spec's event union, numbered
    from 0 in order."""
    events = list(stream)
    for event in events:
        validate_chunk("ResponseStreamEvent", event.to_dict(warnings=False))
    assert [event.sequence_number for event in events] == list(range(len(events)))
    return events


def message_text(item: ResponseItem) -> str:
    """The text of an input item that is a message, its first part text."""
    assert isinstance(item, ResponseInputMessageItem | ResponseOutputMessage), item
    part = item.content[0]
    assert isinstance(part, ResponseInputText | ResponseOutputText), part
    return part.text


@ROUTES
def test_text_with_instructions(sdk: openai.OpenAI, model: str) -> None:
    response = sdk.responses.create(model=model, instructions="Be brief.", input="Hi there")
    assert response.id.startswith("resp_") and response.object == "response"
    assert response.status == "completed" and response.model == model
    assert response.output_text.endswith("You said: Hi there")
    usage = response.usage
    assert usage and usage.total_tokens == usage.input_tokens + usage.output_tokens > 0


@ROUTES
def test_input_items_and_an_image(
    sdk: openai.OpenAI, model: str, emulator: CopilotEmulator
) -> None:
    image_model = "gpt-5-mini" if model == NATIVE else model  # the codex model has no vision
    response = sdk.responses.create(
        model=image_model,
        input=[
            {"role": "developer", "content": "Answer in English."},
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "What is in this picture?"},
                    {"type": "input_image", "image_url": IMAGE, "detail": "auto"},
                ],
            },
        ],
    )
    assert "What is in this picture?" in response.output_text
    assert emulator.state.seen_headers[-1]["copilot-vision-request"] == "true"
    assert emulator.state.seen_headers[-1]["x-initiator"] == "user"


@ROUTES
def test_stream_with_the_sdk_helpers(sdk: openai.OpenAI, model: str) -> None:
    with sdk.responses.stream(model=model, input="Stream this to me") as stream:
        events = checked_events(stream)
        final = stream.get_final_response()
    kinds = [event.type for event in events]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert kinds[-1] == "response.completed"
    text_events = [k for k in kinds if k.startswith(("response.output_text", "response.content"))]
    assert text_events[0] == "response.content_part.added"
    assert text_events[-2:] == ["response.output_text.done", "response.content_part.done"]
    deltas = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert deltas == final.output_text and final.output_text.endswith("Stream this to me")
    assert final.usage and final.usage.output_tokens > 0
    assert sdk.responses.retrieve(final.id).output_text == final.output_text


@ROUTES
def test_a_function_tool_round_trip_continued_by_previous_response_id(
    sdk: openai.OpenAI, model: str, emulator: CopilotEmulator
) -> None:
    first = sdk.responses.create(
        model=model, input="Weather in Paris?", tools=[WEATHER], tool_choice="required"
    )
    calls = [item for item in first.output if item.type == "function_call"]
    assert len(calls) == 1 and calls[0].name == "get_weather"
    assert calls[0].arguments == '{"city":"emulated"}'
    second = sdk.responses.create(
        model=model,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": calls[0].call_id, "output": "sunny"}],
        tools=[WEATHER],
    )
    assert second.previous_response_id == first.id
    # The earlier turn reached the model: the reply still echoes the first question.
    # The emulator answers a tool's result by quoting it: the continued turn carried it.
    assert "You said: Weather in Paris?" in second.output_text
    assert second.output_text.endswith("The tool said: sunny")
    assert emulator.state.seen_headers[-1]["x-initiator"] == "agent"


def test_reasoning_items_are_handed_back_with_their_encrypted_content(
    sdk: openai.OpenAI, emulator: CopilotEmulator
) -> None:
    first = sdk.responses.create(model=NATIVE, input="Think first")
    reasoning = [item for item in first.output if item.type == "reasoning"]
    assert reasoning and reasoning[0].encrypted_content
    sdk.responses.create(model=NATIVE, input="And again", previous_response_id=first.id)
    sent = emulator.state.responses_requests[-1]
    handed_back = [item for item in sent["input"] if item.get("type") == "reasoning"]
    assert handed_back[0]["encrypted_content"] == reasoning[0].encrypted_content
    assert sent["store"] is False and "previous_response_id" not in sent


class Weather(pydantic.BaseModel):
    city: str
    celsius: int


@ROUTES
def test_parse_with_a_pydantic_model(sdk: openai.OpenAI, model: str) -> None:
    parsed = sdk.responses.parse(model=model, input="Weather in Oslo", text_format=Weather)
    # The answer is the emulator's instance of Weather's schema; the SDK parsed exactly it.
    assert isinstance(parsed.output_parsed, Weather)
    assert parsed.output_parsed == Weather.model_validate_json(parsed.output_text)


def test_max_output_tokens_makes_an_incomplete_response(sdk: openai.OpenAI) -> None:
    story = "Once upon a time there was a gateway that translated every API it met " * 2
    response = sdk.responses.create(model=TRANSLATED, input=story, max_output_tokens=16)
    assert response.status == "incomplete"
    assert response.incomplete_details and response.incomplete_details.reason == "max_output_tokens"
    assert response.usage and response.usage.output_tokens == 16


@ROUTES
def test_retrieve_list_input_items_and_delete(sdk: openai.OpenAI, model: str) -> None:
    response = sdk.responses.create(
        model=model,
        input=[
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "noted"},
            {"role": "user", "content": "second"},
        ],
    )
    assert sdk.responses.retrieve(response.id).output_text == response.output_text
    items = list(sdk.responses.input_items.list(response.id))  # newest first by default
    assert [message_text(item) for item in items] == ["second", "noted", "first"]
    oldest = sdk.responses.input_items.list(response.id, order="asc", limit=1)
    assert [message_text(item) for item in oldest.data] == ["first"]
    assert oldest.has_more
    sdk.responses.delete(response.id)
    with pytest.raises(openai.NotFoundError):
        sdk.responses.retrieve(response.id)
    with pytest.raises(openai.NotFoundError):
        sdk.responses.delete(response.id)


def test_store_false_keeps_nothing(sdk: openai.OpenAI) -> None:
    response = sdk.responses.create(model=TRANSLATED, input="forget me", store=False)
    with pytest.raises(openai.NotFoundError):
        sdk.responses.retrieve(response.id)


def test_an_unknown_previous_response_is_404(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        sdk.responses.create(model=TRANSLATED, input="hi", previous_response_id="resp_nope")
    assert raised.value.body["param"] == "previous_response_id"  # type: ignore[index]


def test_another_key_cannot_see_a_stored_response(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, api_keys="sk-alice,sk-bob")
    with (
        running(gateway_app(settings)) as url,
        sdk_client(url, "sk-alice") as alice,
        sdk_client(url, "sk-bob") as bob,
    ):
        response = alice.responses.create(model=TRANSLATED, input="mine")
        with pytest.raises(openai.NotFoundError):
            bob.responses.retrieve(response.id)
        with pytest.raises(openai.NotFoundError):
            bob.responses.create(model=TRANSLATED, input="x", previous_response_id=response.id)
        assert alice.responses.retrieve(response.id).id == response.id


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"tools": [{"type": "web_search"}]}, "tools[0].type"),
        ({"background": True}, "background"),
        ({"conversation": "conv_123"}, "conversation"),
    ],
)
def test_what_is_not_supported_is_refused_by_name(
    sdk: openai.OpenAI, extra: dict, param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.responses.create(model=TRANSLATED, input="hi", **extra)
    assert raised.value.body["param"] == param  # type: ignore[index]
    assert raised.value.body["type"] == "invalid_request_error"  # type: ignore[index]


def test_errors_arrive_as_the_sdk_error_classes(gateway_url: str, sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        sdk.responses.create(model="no-such-model", input="hi")
    with pytest.raises(openai.AuthenticationError):
        sdk_client(gateway_url, "sk-wrong").responses.create(model=TRANSLATED, input="hi")
    with pytest.raises(openai.BadRequestError):
        sdk.responses.create(model=TRANSLATED, input="hi", temperature=7)


@ROUTES
def test_a_stream_failing_midway_ends_with_the_error_event(
    sdk: openai.OpenAI, model: str, emulator: CopilotEmulator
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=4, stream_end="cut"))
    with sdk.responses.stream(model=model, input="Stream then break") as stream:
        events = checked_events(stream)
        with pytest.raises(RuntimeError):
            stream.get_final_response()  # no response.completed
    assert events[0].type == "response.created"
    assert events[-1].type == "error" and events[-1].code == "upstream_error"


def test_a_responses_only_model_through_chat_completions(sdk: openai.OpenAI) -> None:
    assert NATIVE in {model.id for model in sdk.models.list()}
    completion = sdk.chat.completions.create(
        model=NATIVE, messages=[{"role": "user", "content": "codex via chat"}]
    )
    assert (completion.choices[0].message.content or "").endswith("You said: codex via chat")
    assert completion.usage and completion.usage.completion_tokens > 0
    chunks = list(
        sdk.chat.completions.create(
            model=NATIVE,
            messages=[{"role": "user", "content": "codex streamed via chat"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    for chunk in chunks:
        validate_chunk("CreateChatCompletionStreamResponse", chunk.to_dict())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.endswith("You said: codex streamed via chat")
    assert chunks[-1].usage and chunks[-1].usage.total_tokens > 0
    tool: ChatCompletionToolParam = {
        "type": "function",
        "function": {"name": WEATHER["name"], "parameters": WEATHER_PARAMETERS},
    }
    called = sdk.chat.completions.create(
        model=NATIVE,
        messages=[{"role": "user", "content": "weather?"}],
        tools=[tool],
        tool_choice="required",
    )
    assert called.choices[0].finish_reason == "tool_calls"
    assert first_function_call(called).function.name == "get_weather"


def test_the_openai_upstream_serves_responses_natively_or_through_chat(
    gateway_url: str, emulator: CopilotEmulator
) -> None:
    """A front gateway on the `openai` upstream, whose server is a gateway on the emulator:
    `native` sends it /v1/responses (instructions arrive as they were sent), `translate`
    sends it chat completions (instructions arrive as a system message)."""
    for mode in ("native", "translate"):
        settings = gateway_settings(
            "unused",
            upstream="openai",
            upstream_url=f"{gateway_url}/v1",
            upstream_api_key=API_KEY,
            upstream_responses=mode,
            api_keys="sk-front",
        )
        with running(gateway_app(settings)) as url, sdk_client(url, "sk-front") as front:
            response = front.responses.create(model=NATIVE, instructions="Brief.", input=mode)
            assert response.output_text.endswith(f"You said: {mode}")
            reached = emulator.state.responses_requests[-1]
            if mode == "native":
                assert reached["instructions"] == "Brief."
            else:
                assert "instructions" not in reached
                assert reached["input"][0] == {
                    "type": "message",
                    "role": "system",
                    "content": "Brief.",
                }
            with front.responses.stream(model=TRANSLATED, input="streamed") as stream:
                checked_events(stream)
                assert stream.get_final_response().output_text.endswith("streamed")


def test_built_in_tools_reach_a_native_upstream(
    sdk: openai.OpenAI, emulator: CopilotEmulator
) -> None:
    """Only where the gateway translates are built-in tools refused: a native upstream
    decides for itself (Codex CLI sends `web_search` on every request)."""
    response = sdk.responses.create(
        model=NATIVE, input="hi", tools=[WEATHER, {"type": "web_search"}]
    )
    assert response.status == "completed"
    assert emulator.state.responses_requests[-1]["tools"][1] == {"type": "web_search"}


def test_a_chat_stream_of_a_responses_only_model_failing_midway_is_an_error(
    sdk: openai.OpenAI, emulator: CopilotEmulator
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=5, stream_end="eof"))
    stream = sdk.chat.completions.create(
        model=NATIVE, messages=[{"role": "user", "content": "break, please"}], stream=True
    )
    with pytest.raises(openai.APIError, match="ended before"):
        list(stream)
