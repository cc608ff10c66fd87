"""Hostile input on the Gemini surface, in every operation: bodies that are not JSON, nested
past the limit, holding too many values or too large; bad enum values and wrong
types; counts that would cost the account dear. Each is refused before anything is
sent upstream, in Google's shape (`{"error": {"code", "message", "status"}}`, the field at
fault named for a 400), never a 500."""

from __future__ import annotations

import json

import httpx
import orjson
import pytest

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator
from openapi_oracle import validate_chunk

HEADERS = {"x-goog-api-key": API_KEY, "content-type": "application/json"}
HI = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
EMBED_ONE = {"content": {"parts": [{"text": "hi"}]}}
EMBEDDER = "text-embedding-3-small"
POSTS: dict[str, tuple[str, dict]] = {
    "generateContent": ("/v1beta/models/gemini-2.5-pro:generateContent", HI),
    "streamGenerateContent": ("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", HI),
    "streamGenerateContent-array": ("/v1beta/models/gemini-2.5-pro:streamGenerateContent", HI),
    "claude": ("/v1beta/models/claude-sonnet-4.5:generateContent", HI),
    "countTokens": ("/v1beta/models/gemini-2.5-pro:countTokens", HI),
    "embedContent": (f"/v1beta/models/{EMBEDDER}:embedContent", EMBED_ONE),
    "batchEmbedContents": (
        f"/v1beta/models/{EMBEDDER}:batchEmbedContents",
        {"requests": [{"model": f"models/{EMBEDDER}", **EMBED_ONE}]},
    ),
    "v1-generateContent": ("/v1/models/gemini-2.5-pro:generateContent", HI),
}
GARBAGE = [
    b"not json at all",
    b"\x00\x01\x02",
    b'{"contents": []}\x00',
    b"[" * 5000 + b"]" * 5000,
    b'{"contents": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"contents": [], "generationConfig": {"temperature": 1e400}}',
    b'{"contents": [{"role": "\xed\xa0\x80", "parts": []}]}',
    b"\xef\xbb\xbf{}",
    b"",
    b"[]",
    b'"contents"',
]
DEPTH_LIMIT, VALUES_LIMIT = 64, 100_000  # the defaults


def nested(depth: int) -> object:
    value: object = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def refused(response: httpx.Response, status: int = 400) -> dict:
    """The error, checked to be Google's with this status (and its word for it)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    validate_chunk("Error", body, "gemini.yaml")
    error: dict = body["error"]
    assert error["code"] == status and error["status"].isupper()
    if status == 400:
        assert error["status"] == "INVALID_ARGUMENT"
    return error


def field_at_fault(error: dict) -> str:
    [detail] = error["details"]
    return str(detail["fieldViolations"][0]["field"])


@pytest.fixture
def nothing_sent(emulator: CopilotEmulator):  # type: ignore[no-untyped-def]
    """Asserts, after the test, that no call reached Copilot's data plane."""
    yield
    assert not emulator.state.chat_requests and not emulator.state.messages_requests
    assert not [seen for seen in emulator.state.seen_headers if "x-initiator" in seen]


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("operation", POSTS)
def test_a_body_that_is_no_request_is_400_in_googles_shape(
    client: httpx.Client, nothing_sent: None, operation: str, body: bytes
) -> None:
    path, _ = POSTS[operation]
    refused(client.post(path, content=body, headers=HEADERS))


@pytest.mark.parametrize("operation", POSTS)
def test_json_nested_past_the_limit_is_400_in_every_operation(
    client: httpx.Client, nothing_sent: None, operation: str
) -> None:
    path, body = POSTS[operation]
    deep = {**body, "labels": nested(200)}  # orjson writes no more than 255 levels
    error = refused(client.post(path, content=json.dumps(deep).encode(), headers=HEADERS))
    assert f"at most {DEPTH_LIMIT} levels" in error["message"]


@pytest.mark.parametrize(
    "where",
    ["tool", "responseJsonSchema", "functionResponse"],
)
def test_deep_json_inside_a_free_form_field_is_400(
    client: httpx.Client, nothing_sent: None, where: str
) -> None:
    body: dict = {"contents": list(HI["contents"])}
    if where == "tool":
        declaration = {"name": "f", "description": "d", "parametersJsonSchema": nested(150)}
        body["tools"] = [{"functionDeclarations": [declaration]}]
    elif where == "responseJsonSchema":
        body["generationConfig"] = {"responseJsonSchema": nested(150)}
    else:
        answer = {"functionResponse": {"name": "f", "response": nested(150)}}
        body["contents"].append({"role": "user", "parts": [answer]})
    path = POSTS["generateContent"][0]
    refused(client.post(path, content=json.dumps(body).encode(), headers=HEADERS))


def test_a_body_with_too_many_values_is_400(client: httpx.Client, nothing_sent: None) -> None:
    parts = [{"text": "x"}] * 60_000
    raw = orjson.dumps({"contents": [{"role": "user", "parts": parts}]})
    error = refused(client.post(POSTS["generateContent"][0], content=raw, headers=HEADERS))
    assert f"at most {VALUES_LIMIT}" in error["message"]


def test_a_body_over_the_size_limit_is_413_in_googles_shape(
    client: httpx.Client, nothing_sent: None
) -> None:
    raw = orjson.dumps({"contents": [{"role": "user", "parts": [{"text": "a" * 34_000_000}]}]})
    refused(client.post(POSTS["generateContent"][0], content=raw, headers=HEADERS), 413)


def test_a_prompt_over_the_models_limit_is_400_before_any_call(
    client: httpx.Client, nothing_sent: None
) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "word " * 400_000}]}]}
    error = refused(client.post(POSTS["generateContent"][0], json=body, headers=HEADERS))
    assert "maximum prompt length" in error["message"]


BAD_ENUMS = [
    (
        "toolConfig.functionCallingConfig.mode",
        {"toolConfig": {"functionCallingConfig": {"mode": "SOMETIMES"}}},
    ),
    (
        "generationConfig.thinkingConfig.thinkingLevel",
        {"generationConfig": {"thinkingConfig": {"thinkingLevel": "MAX"}}},
    ),
    (
        "generationConfig.responseModalities[0]",
        {"generationConfig": {"responseModalities": ["SMELL"]}},
    ),
    (
        "safetySettings[0].category",
        {"safetySettings": [{"category": "X", "threshold": "BLOCK_NONE"}]},
    ),
    (
        "generationConfig.responseSchema.type",
        {"generationConfig": {"responseSchema": {"type": "BLOB"}}},
    ),
    ("contents[0].role", {"contents": [{"role": "admin", "parts": [{"text": "hi"}]}]}),
]


@pytest.mark.parametrize(("field", "fields"), BAD_ENUMS, ids=[field for field, _ in BAD_ENUMS])
def test_a_bad_enum_value_is_400_naming_its_field(
    client: httpx.Client, nothing_sent: None, field: str, fields: dict
) -> None:
    for operation in ("generateContent", "streamGenerateContent", "claude"):
        response = client.post(POSTS[operation][0], json={**HI, **fields}, headers=HEADERS)
        assert field_at_fault(refused(response)) == field


WRONG_TYPES = [
    ("contents", {"contents": "hi"}),
    ("contents[0].parts", {"contents": [{"role": "user", "parts": "hi"}]}),
    ("contents[0].parts[0].text", {"contents": [{"role": "user", "parts": [{"text": 5}]}]}),
    ("generationConfig.temperature", {**HI, "generationConfig": {"temperature": "hot"}}),
    ("generationConfig.maxOutputTokens", {**HI, "generationConfig": {"maxOutputTokens": 10**12}}),
    ("tools", {**HI, "tools": {}}),
    (
        "generationConfig.responseSchema.minItems",
        {**HI, "generationConfig": {"responseSchema": {"type": "ARRAY", "minItems": "lots"}}},
    ),
]


@pytest.mark.parametrize(("field", "body"), WRONG_TYPES, ids=[field for field, _ in WRONG_TYPES])
def test_a_wrong_type_is_400_naming_its_field(
    client: httpx.Client, nothing_sent: None, field: str, body: dict
) -> None:
    # countTokens takes the conversation alone (the rest is an unknown field there).
    counted = ("countTokens",) if field.startswith("contents") else ()
    for operation in ("generateContent", "streamGenerateContent", "claude", *counted):
        response = client.post(POSTS[operation][0], json=body, headers=HEADERS)
        assert field_at_fault(refused(response)) == field


@pytest.mark.parametrize("count", [9, 100_000, -1])
def test_more_candidates_than_google_gives_are_refused_before_any_call(
    client: httpx.Client, nothing_sent: None, count: int
) -> None:
    body = {**HI, "generationConfig": {"candidateCount": count}}
    for operation in ("generateContent", "streamGenerateContent", "claude"):
        error = refused(client.post(POSTS[operation][0], json=body, headers=HEADERS))
        assert field_at_fault(error) == "generationConfig.candidateCount"


@pytest.mark.parametrize(
    "path",
    [
        "/v1beta/models?pageSize=abc",
        "/v1beta/models?pageSize=99999999999",
        "/v1beta/models?pageSize=-1",
        "/v1beta/models?pageToken=%00",
        "/v1beta/models?pageToken=" + "9" * 5000,
        "/v1beta/models?pageToken=%C2%B2",
    ],
)
def test_a_bad_listing_query_is_400(client: httpx.Client, path: str) -> None:
    refused(client.get(path, headers=HEADERS))


@pytest.mark.parametrize(
    "path",
    [
        "/v1beta/models/gem%0Aini:generateContent",
        "/v1beta/models/" + "a" * 5000 + ":generateContent",
        "/v1beta/models/%2e%2e:generateContent",
        "/v1beta/models/<script>:countTokens",
    ],
)
def test_a_hostile_model_name_is_404_and_not_echoed_raw(
    client: httpx.Client, nothing_sent: None, path: str
) -> None:
    error = refused(client.post(path, json=HI, headers=HEADERS), 404)
    assert "\n" not in error["message"] and len(error["message"]) < 6000
