"""The Gemini request as chat's, and chat's answers and chunks as Google's: pure functions,
read as specifications of the mapping."""

from __future__ import annotations

import pytest

from copilot_gateway.errors import InvalidRequest
from copilot_gateway.surfaces.gemini import answers
from copilot_gateway.surfaces.gemini.contents import chat_messages
from copilot_gateway.surfaces.gemini.requests import chat_request
from copilot_gateway.surfaces.gemini.schemas import json_schema
from copilot_gateway.surfaces.gemini.stream import ChunksFromChat
from copilot_gateway.surfaces.gemini.thinking_blocks import as_signature, blocks_of


def user(*parts: dict) -> dict:
    return {"role": "user", "parts": list(parts)}


def model(*parts: dict) -> dict:
    return {"role": "model", "parts": list(parts)}


def request(**fields: object) -> dict:
    return chat_request({"contents": [user({"text": "hi"})], **fields}, "m", stream=False)


def test_roles_system_instruction_and_images_map_onto_chat() -> None:
    body = {
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [
            user({"text": "look"}, {"inlineData": {"mimeType": "image/png", "data": "AAAA"}}),
            model({"text": "a cat"}, {"text": "pondering", "thought": True}),
            user({"text": "thanks"}),
        ],
    }
    assert chat_messages(body) == [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            ],
        },
        {"role": "assistant", "content": "a cat"},
        {"role": "user", "content": "thanks"},
    ]


def test_calls_without_ids_get_ids_and_responses_are_matched_by_name() -> None:
    body = {
        "contents": [
            user({"text": "weather?"}),
            model(
                {"functionCall": {"name": "a", "args": {"x": 1}}}, {"functionCall": {"name": "b"}}
            ),
            user(
                {"functionResponse": {"name": "b", "response": {"r": 2}}},
                {"functionResponse": {"name": "a", "response": {"r": 1}}},
            ),
        ]
    }
    messages = chat_messages(body)
    calls = messages[1]["tool_calls"]
    assert [call["function"]["name"] for call in calls] == ["a", "b"]
    assert calls[0]["function"]["arguments"] == '{"x":1}'
    by_id = {call["id"]: call["function"]["name"] for call in calls}
    assert [by_id[m["tool_call_id"]] for m in messages[2:]] == ["b", "a"]
    assert messages[2]["content"] == '{"r":2}'


def test_a_call_id_sent_is_kept_and_a_signature_goes_back_as_reasoning_opaque() -> None:
    body = {
        "contents": [
            user({"text": "go"}),
            model({"functionCall": {"id": "call_7", "name": "a"}, "thoughtSignature": "c2ln"}),
            user({"functionResponse": {"id": "call_7", "name": "a", "response": {}}}),
        ]
    }
    messages = chat_messages(body)
    assert messages[1]["tool_calls"][0]["id"] == "call_7"
    assert messages[1]["reasoning_opaque"] == "c2ln"
    assert messages[2]["tool_call_id"] == "call_7"


def test_a_function_response_with_no_call_before_it_is_refused_by_name() -> None:
    body = {"contents": [user({"functionResponse": {"name": "a", "response": {}}})]}
    with pytest.raises(InvalidRequest) as refused:
        chat_messages(body)
    assert refused.value.param == "contents[0].parts[0].functionResponse"


@pytest.mark.parametrize(
    ("part", "param"),
    [
        ({"fileData": {"fileUri": "gs://a"}}, "contents[0].parts[0].fileData"),
        ({"executableCode": {"code": "1"}}, "contents[0].parts[0].executableCode"),
        (
            {"inlineData": {"mimeType": "audio/wav", "data": "AA"}},
            "contents[0].parts[0].inlineData",
        ),
        ({"toolCall": {"toolType": "GOOGLE_SEARCH_WEB"}}, "contents[0].parts[0].toolCall"),
        ({"audioTranscription": {"text": "hi"}}, "contents[0].parts[0].audioTranscription"),
    ],
)
def test_parts_chat_cannot_carry_are_refused_by_name(part: dict, param: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        chat_messages({"contents": [user(part)]})
    assert refused.value.param == param


def test_generation_config_maps_onto_chats_settings() -> None:
    config = {
        "maxOutputTokens": 100,
        "temperature": 0.5,
        "topP": 0.9,
        "stopSequences": ["END"],
        "candidateCount": 2,
        "seed": 3,
        "responseMimeType": "application/json",
    }
    chat = request(generationConfig=config)
    assert {
        key: chat[key] for key in ("max_tokens", "temperature", "top_p", "stop", "n", "seed")
    } == {
        "max_tokens": 100,
        "temperature": 0.5,
        "top_p": 0.9,
        "stop": ["END"],
        "n": 2,
        "seed": 3,
    }
    assert chat["response_format"] == {"type": "json_object"}


@pytest.mark.parametrize(
    ("thinking", "effort"),
    [
        ({"thinkingLevel": "HIGH"}, "high"),
        ({"thinkingLevel": "MINIMAL"}, "low"),
        ({"thinkingBudget": 1024}, "low"),
        ({"thinkingBudget": 8192}, "medium"),
        ({"thinkingBudget": 30000}, "high"),
        ({"thinkingBudget": 0}, None),
        ({"thinkingBudget": -1}, None),
    ],
)
def test_thinking_config_is_a_reasoning_effort(thinking: dict, effort: str | None) -> None:
    chat = request(generationConfig={"thinkingConfig": thinking})
    assert chat.get("reasoning_effort") == effort


def test_a_response_schema_is_a_json_schema() -> None:
    schema = {
        "type": "OBJECT",
        "properties": {
            "n": {"type": "INTEGER", "nullable": True},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "maxItems": "3"},
        },
        "required": ["n"],
    }
    assert json_schema(schema, "s") == {
        "type": "object",
        "properties": {
            "n": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        },
        "required": ["n"],
    }
    chat = request(generationConfig={"responseSchema": schema})
    assert chat["response_format"]["json_schema"]["schema"]["type"] == "object"


def test_function_declarations_and_tool_config_map_onto_tools() -> None:
    tools = [
        {
            "functionDeclarations": [
                {"name": "a", "description": "A."},
                {
                    "name": "b",
                    "parameters": {"type": "OBJECT", "properties": {"x": {"type": "STRING"}}},
                },
            ]
        }
    ]
    chat = request(
        tools=tools,
        toolConfig={"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["b"]}},
    )
    assert [tool["function"]["name"] for tool in chat["tools"]] == ["a", "b"]
    assert chat["tools"][0]["function"]["parameters"] == {"type": "object", "properties": {}}
    assert chat["tools"][1]["function"]["parameters"]["properties"] == {"x": {"type": "string"}}
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "b"}}
    none = request(tools=tools, toolConfig={"functionCallingConfig": {"mode": "NONE"}})
    assert none["tool_choice"] == "none"


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"tools": [{"googleSearch": {}}]}, "tools[0].googleSearch"),
        ({"tools": [{"codeExecution": {}}]}, "tools[0].codeExecution"),
        ({"cachedContent": "cachedContents/1"}, "cachedContent"),
        (
            {"generationConfig": {"responseModalities": ["IMAGE"]}},
            "generationConfig.responseModalities[0]",
        ),
        ({"generationConfig": {"speechConfig": {}}}, "generationConfig.speechConfig"),
        (
            {"generationConfig": {"audioTranscriptionConfig": {}}},
            "generationConfig.audioTranscriptionConfig",
        ),
        ({"tools": [{"mcpServers": [{"name": "m"}]}]}, "tools[0].mcpServers"),
    ],
)
def test_what_chat_cannot_do_is_refused_by_name(fields: dict, param: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        request(**fields)
    assert refused.value.param == param


def test_an_answer_with_tool_calls_and_a_signature_is_a_signed_function_call() -> None:
    message = {
        "content": "Let me look.",
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "a", "arguments": '{"x": 1}'}}
        ],
        "reasoning_opaque": "c2ln",
        "reasoning_text": "thinking",
    }
    assert answers.parts_of(message, thoughts=True) == [
        {"text": "thinking", "thought": True},
        {"text": "Let me look."},
        {
            "functionCall": {"name": "a", "args": {"x": 1}, "id": "call_1"},
            "thoughtSignature": "c2ln",
        },
    ]
    assert answers.parts_of(message, thoughts=False)[0] == {"text": "Let me look."}


@pytest.mark.parametrize(
    ("chat", "google"),
    [
        ("stop", "STOP"),
        ("tool_calls", "STOP"),
        ("length", "MAX_TOKENS"),
        ("content_filter", "SAFETY"),
        ("odd", "OTHER"),
    ],
)
def test_finish_reasons_are_googles(chat: str, google: str) -> None:
    assert answers.finish_reason(chat) == google


def test_usage_counts_thoughts_apart_from_the_answer() -> None:
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 30,
        "completion_tokens_details": {"reasoning_tokens": 12},
    }
    assert answers.usage_metadata(usage) == {
        "promptTokenCount": 10,
        "candidatesTokenCount": 18,
        "totalTokenCount": 40,
        "thoughtsTokenCount": 12,
    }


def test_a_streamed_call_comes_whole_in_the_last_chunk() -> None:
    converter = ChunksFromChat("m", "r1", 5, thoughts=False, single=True)
    pieces = [
        {"choices": [{"index": 0, "delta": {"content": "ok"}}]},
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "function": {"name": "a", "arguments": '{"x"'},
                            }
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]},
                    "finish_reason": "tool_calls",
                }
            ]
        },
    ]
    out = [chunk for piece in pieces for chunk in converter.feed(piece)]
    assert [chunk["candidates"][0]["content"]["parts"] for chunk in out] == [[{"text": "ok"}]]
    assert out[0]["usageMetadata"]["promptTokenCount"] == 5
    last = converter.finish({"prompt_tokens": 5, "completion_tokens": 7})
    [candidate] = last["candidates"]
    assert candidate["content"]["parts"] == [
        {"functionCall": {"name": "a", "args": {"x": 1}, "id": "call_1"}}
    ]
    assert candidate["finishReason"] == "STOP"
    assert last["usageMetadata"]["totalTokenCount"] == 12


def test_gemini_clis_placeholder_signature_is_not_sent() -> None:
    body = {
        "contents": [
            user({"text": "go"}),
            model(
                {
                    "functionCall": {"name": "a"},
                    "thoughtSignature": "skip_thought_signature_validator",
                }
            ),
        ]
    }
    assert "reasoning_opaque" not in chat_messages(body)[1]


def test_url_safe_base64_as_the_python_sdk_sends_it_is_read_as_the_standard_form() -> None:
    # Thinking whose base64 holds '+' and '/': the SDK sends them back as '-' and '_'.
    blocks = [{"type": "thinking", "thinking": "Check ~/.config?>> é", "signature": "s"}]
    signature = as_signature(blocks)
    assert signature and ("+" in signature or "/" in signature)
    url_safe = signature.replace("+", "-").replace("/", "_").rstrip("=")
    image = {"inlineData": {"mimeType": "image/png", "data": "ab-_cd"}}
    body = {
        "contents": [
            user({"text": "look"}, image),
            model({"functionCall": {"id": "c", "name": "f"}, "thoughtSignature": url_safe}),
            user({"functionResponse": {"id": "c", "name": "f", "response": {}}}),
        ]
    }
    first, answer, _ = chat_messages(body)
    assert first["content"][1]["image_url"]["url"] == "data:image/png;base64,ab+/cd=="
    assert answer["reasoning_opaque"] == signature
    assert blocks_of(answer["reasoning_opaque"]) == blocks


def test_an_image_a_function_response_carries_follows_the_tool_result() -> None:
    image = {"inlineData": {"mimeType": "image/png", "data": "AAAA"}}
    body = {
        "contents": [
            user({"text": "read the picture"}),
            model({"functionCall": {"id": "c", "name": "read_file"}}),
            user(
                {
                    "functionResponse": {
                        "id": "c",
                        "name": "read_file",
                        "response": {},
                        "parts": [image],
                    }
                }
            ),
        ]
    }
    *_, result, after = chat_messages(body)
    assert result == {"role": "tool", "tool_call_id": "c", "content": "{}"}
    assert after == {
        "role": "user",
        "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}],
    }
    by_uri = {"fileData": {"mimeType": "image/png", "fileUri": "gs://a"}}
    body["contents"][2] = user(
        {"functionResponse": {"id": "c", "name": "read_file", "parts": [by_uri]}}
    )
    with pytest.raises(InvalidRequest) as refused:
        chat_messages(body)
    assert refused.value.param == "contents[2].parts[0].functionResponse.parts[0].fileData"
