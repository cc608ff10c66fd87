"""Google's `google-genai` SDK against a running gateway, at its default API version (`v1`)
and at `v1beta` (Gemini CLI's), on each way the upstream serves a model: chat (a Gemini
model), Messages (a Claude model) and Responses only (a `*-codex` model). Every exchange is
checked by openapi-core against openapi/gemini.yaml, and every streamed chunk against its
schema."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from google import genai
from google.genai import errors, types

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator
from openapi_oracle import validate_chunk, validate_exchange

DOCUMENT = "gemini.yaml"
ROUTES = ["gemini-2.5-pro", "claude-sonnet-4.5", "gpt-5.2-codex"]  # chat, Messages, Responses
WEATHER = types.FunctionDeclaration(
    name="get_weather",
    description="The weather in a city.",
    parameters_json_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)


def checked(response: httpx.Response) -> None:
    if not response.headers.get("content-type", "").startswith("text/event-stream"):
        response.read()
    validate_exchange(response, DOCUMENT)


def client_for(url: str, api_version: str | None = None, key: str = API_KEY) -> genai.Client:
    http = httpx.Client(event_hooks={"response": [checked]}, timeout=30)
    options = types.HttpOptions(base_url=url, api_version=api_version, httpx_client=http)
    return genai.Client(api_key=key, http_options=options)


@pytest.fixture
def sdk(gateway_url: str) -> Iterator[genai.Client]:
    """The SDK as it comes: its default API version, `v1`."""
    yield client_for(gateway_url)


@pytest.fixture
def beta(gateway_url: str) -> Iterator[genai.Client]:
    yield client_for(gateway_url, "v1beta")


@pytest.mark.parametrize("model", ROUTES)
def test_generate_answers_text_with_usage_on_every_route(sdk: genai.Client, model: str) -> None:
    response = sdk.models.generate_content(model=model, contents="Say hello")
    assert "Say hello" in (response.text or "")
    assert response.candidates and response.candidates[0].finish_reason == types.FinishReason.STOP
    usage = response.usage_metadata
    assert usage and usage.prompt_token_count and usage.candidates_token_count
    assert usage.total_token_count == usage.prompt_token_count + usage.candidates_token_count


def test_v1beta_is_served_too(beta: genai.Client) -> None:
    response = beta.models.generate_content(
        model="gemini-2.5-pro",
        contents="Say hello",
        config=types.GenerateContentConfig(system_instruction="Be brief.", max_output_tokens=50),
    )
    assert "Say hello" in (response.text or "")


@pytest.mark.parametrize("model", ROUTES)
def test_a_stream_ends_with_its_finish_reason_and_the_whole_usage(
    beta: genai.Client, model: str
) -> None:
    chunks = list(beta.models.generate_content_stream(model=model, contents="one two three"))
    assert len(chunks) > 2
    text = "".join(chunk.text or "" for chunk in chunks)
    assert "one two three" in text
    assert all(chunk.usage_metadata is not None for chunk in chunks)
    last = chunks[-1]
    assert last.candidates and last.candidates[0].finish_reason == types.FinishReason.STOP
    assert last.usage_metadata and last.usage_metadata.candidates_token_count


def test_tokens_are_counted(sdk: genai.Client) -> None:
    short = sdk.models.count_tokens(model="gemini-2.5-pro", contents="hello")
    longer = sdk.models.count_tokens(model="gemini-2.5-pro", contents="hello " * 40)
    assert short.total_tokens and longer.total_tokens
    assert 0 < short.total_tokens < longer.total_tokens


def test_contents_are_embedded(sdk: genai.Client) -> None:
    result = sdk.models.embed_content(
        model="text-embedding-3-small", contents=["the first text", "the second"]
    )
    assert result.embeddings and len(result.embeddings) == 2
    first, second = (embedding.values or [] for embedding in result.embeddings)
    assert len(first) == len(second) > 100 and first != second


@pytest.mark.parametrize("model", ROUTES)
def test_a_function_call_round_trip_keeps_the_call_id(sdk: genai.Client, model: str) -> None:
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    asked = types.Content(role="user", parts=[types.Part(text="What is the weather in Paris?")])
    first = sdk.models.generate_content(model=model, contents=[asked], config=config)
    calls = first.function_calls or []
    assert [call.name for call in calls] == ["get_weather"]
    call = calls[0]
    # The SDK names the schema by its proto name (`parameters_json_schema`): it reached the
    # model, whose call fills in what it requires.
    assert call.id and isinstance(call.args, dict) and set(call.args) == {"city"}
    answer = types.Part(
        function_response=types.FunctionResponse(
            id=call.id, name=call.name, response={"forecast": "sunny"}
        )
    )
    assert first.candidates and first.candidates[0].content
    history = [asked, first.candidates[0].content, types.Content(role="user", parts=[answer])]
    second = sdk.models.generate_content(model=model, contents=history, config=config)
    assert second.text and not second.function_calls


def test_models_are_listed_in_pages(beta: genai.Client) -> None:
    pager = beta.models.list(config=types.ListModelsConfig(page_size=3))
    assert len(pager.page) == 3
    names = [model.name for model in pager]  # the pager asks for every page
    assert len(names) > 3 and len(set(names)) == len(names)
    assert "models/gemini-2.5-pro" in names
    one = beta.models.get(model="gemini-2.5-pro")
    assert one.name == "models/gemini-2.5-pro"
    assert one.supported_actions and "generateContent" in one.supported_actions


def test_a_wrong_key_is_a_client_error_401(gateway_url: str) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client_for(gateway_url, key="wrong").models.generate_content(
            model="gemini-2.5-pro", contents="hi"
        )
    assert raised.value.code == 401 and raised.value.status == "UNAUTHENTICATED"


def test_an_unknown_model_is_a_client_error_404(sdk: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as raised:
        sdk.models.generate_content(model="no-such-model", contents="hi")
    assert raised.value.code == 404 and raised.value.status == "NOT_FOUND"


def test_what_cannot_be_sent_is_refused_by_name(sdk: genai.Client) -> None:
    part = types.Part(file_data=types.FileData(file_uri="gs://bucket/a.pdf"))
    with pytest.raises(errors.ClientError) as raised:
        sdk.models.generate_content(model="gemini-2.5-pro", contents=[part])
    assert raised.value.code == 400 and raised.value.status == "INVALID_ARGUMENT"
    assert "contents[0].parts[0].fileData" in (raised.value.message or "")


def test_a_google_search_tool_is_refused_by_name(sdk: genai.Client) -> None:
    config = types.GenerateContentConfig(tools=[types.Tool(google_search=types.GoogleSearch())])
    with pytest.raises(errors.ClientError) as raised:
        sdk.models.generate_content(model="gemini-2.5-pro", contents="hi", config=config)
    assert raised.value.code == 400 and "tools[0].googleSearch" in (raised.value.message or "")


def test_the_json_array_stream_is_one_array_of_chunks(gateway_url: str) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "one two three"}]}]}
    response = httpx.post(
        f"{gateway_url}/v1beta/models/gemini-2.5-pro:streamGenerateContent",
        json=body,
        headers={"x-goog-api-key": API_KEY},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    chunks = response.json()
    assert isinstance(chunks, list) and len(chunks) > 2
    for chunk in chunks:
        validate_chunk("GenerateContentResponse", chunk, DOCUMENT)
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"


@pytest.mark.parametrize(
    "place",
    [
        {"headers": {"x-goog-api-key": API_KEY}},
        {"params": {"key": API_KEY}},
        {"headers": {"Authorization": f"Bearer {API_KEY}"}},
    ],
)
def test_a_key_is_taken_from_each_of_googles_places(gateway_url: str, place: dict) -> None:
    response = httpx.get(f"{gateway_url}/v1beta/models/gemini-2.5-pro", timeout=30, **place)
    assert response.status_code == 200, response.text
    validate_exchange(response, DOCUMENT)


def test_claudes_thinking_survives_the_sdks_round_trip_of_its_signature(
    sdk: genai.Client, emulator: CopilotEmulator
) -> None:
    # The SDK reads a signature as bytes and sends it back as URL-safe base64: thinking
    # whose standard base64 holds '+' or '/' (this question's does) must still reach Claude.
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])],
        tool_config=types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(
                mode=types.FunctionCallingConfigMode.ANY
            )
        ),
        thinking_config=types.ThinkingConfig(thinking_budget=2048, include_thoughts=True),
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    asked = types.Content(role="user", parts=[types.Part(text="Weather in ~/Paris?>> é")])
    first = sdk.models.generate_content(model="claude-sonnet-4.5", contents=[asked], config=config)
    assert first.candidates and first.candidates[0].content
    turn = first.candidates[0].content
    [call] = first.function_calls or []
    answer = types.Part(
        function_response=types.FunctionResponse(id=call.id, name=call.name, response={"ok": 1})
    )
    history = [asked, turn, types.Content(role="user", parts=[answer])]
    sdk.models.generate_content(model="claude-sonnet-4.5", contents=history, config=config)
    assistant = emulator.state.messages_requests[-1]["messages"][1]
    thinking = assistant["content"][0]
    assert thinking["type"] == "thinking" and "~/Paris?>>" in thinking["thinking"]
