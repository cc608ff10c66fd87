"""Every error of the Gemini surface, whatever its source, in Google's shape with its status
(and the field at fault, for a 400); a stream's failure as its last event, or as the last
element of its JSON array. The OpenAI surface's `/v1/models` stays OpenAI's."""

from __future__ import annotations

import httpx
import orjson
import pytest

from conftest import API_KEY, AUTH
from copilot_gateway.emulator import CopilotEmulator, Fault
from openapi_oracle import validate_chunk

GOOGLE_KEY = {"x-goog-api-key": API_KEY}
HELLO = {"contents": [{"role": "user", "parts": [{"text": "one two three four five six"}]}]}
GENERATE = "/v1beta/models/{model}:generateContent"
STREAM = "/v1beta/models/{model}:streamGenerateContent"


def google_error(body: dict, status: int, word: str) -> str:
    validate_chunk("Error", body, "gemini.yaml")
    assert body["error"]["code"] == status and body["error"]["status"] == word
    return str(body["error"]["message"])


def answered(response: httpx.Response, status: int, word: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return google_error(response.json(), status, word)


def field_at_fault(response: httpx.Response) -> str:
    [detail] = response.json()["error"]["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    return str(detail["fieldViolations"][0]["field"])


@pytest.mark.parametrize(
    "headers", [{"x-goog-api-key": "sk-wrong"}, {"Authorization": "Bearer no"}, {}]
)
def test_a_missing_or_wrong_key_is_401_in_googles_shape(
    client: httpx.Client, headers: dict
) -> None:
    response = httpx.post(
        str(client.base_url) + GENERATE.format(model="gemini-2.5-pro"),
        json=HELLO,
        headers=headers,
        timeout=30,
    )
    assert "x-goog-api-key" in answered(response, 401, "UNAUTHENTICATED")


def test_a_wrong_key_in_the_query_is_401_on_an_unknown_path_too(client: httpx.Client) -> None:
    response = httpx.get(str(client.base_url) + "/v1beta/nothing?key=sk-wrong", timeout=30)
    answered(response, 401, "UNAUTHENTICATED")


def test_an_unknown_path_is_404_and_a_wrong_method_405(client: httpx.Client) -> None:
    answered(client.get("/v1beta/nothing", headers=GOOGLE_KEY), 404, "NOT_FOUND")
    response = client.delete("/v1beta/models", headers=GOOGLE_KEY)
    answered(response, 405, "FAILED_PRECONDITION")
    assert response.headers["allow"] == "GET, HEAD"


def test_a_body_against_the_schema_is_400_naming_the_field(client: httpx.Client) -> None:
    response = client.post(
        GENERATE.format(model="gemini-2.5-pro"), json={"contents": "hi"}, headers=GOOGLE_KEY
    )
    answered(response, 400, "INVALID_ARGUMENT")
    assert field_at_fault(response) == "contents"


@pytest.mark.parametrize("model", ["gemini-2.5-pro", "gpt-5.2-codex"])
def test_contents_with_nothing_to_send_are_400_before_any_call(
    client: httpx.Client, emulator: CopilotEmulator, model: str
) -> None:
    empty = {
        "contents": [{"role": "user", "parts": []}],
        "systemInstruction": {"parts": [{"text": "x"}]},
    }
    for path in (GENERATE, STREAM + "?alt=sse"):
        response = client.post(path.format(model=model), json=empty, headers=GOOGLE_KEY)
        answered(response, 400, "INVALID_ARGUMENT")
        assert field_at_fault(response) == "contents"
    assert not emulator.state.responses_requests  # nothing was sent there


def test_what_responses_cannot_do_is_refused_by_its_gemini_name(client: httpx.Client) -> None:
    body = {**HELLO, "generationConfig": {"candidateCount": 2}}
    response = client.post(GENERATE.format(model="gpt-5.2-codex"), json=body, headers=GOOGLE_KEY)
    assert "generationConfig.candidateCount" in answered(response, 400, "INVALID_ARGUMENT")
    assert field_at_fault(response) == "generationConfig.candidateCount"


def test_an_upstream_failure_is_in_googles_shape(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    refusal = '{"error":{"message":"emulated refusal","code":"refused"}}'
    emulator.state.faults.append(Fault(status=422, body=refusal))
    response = client.post(GENERATE.format(model="gemini-2.5-pro"), json=HELLO, headers=GOOGLE_KEY)
    assert "emulated refusal" in answered(response, 422, "FAILED_PRECONDITION")


def test_a_server_sent_stream_that_fails_ends_with_an_error_event(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=3))
    response = client.post(
        STREAM.format(model="gemini-2.5-pro") + "?alt=sse", json=HELLO, headers=GOOGLE_KEY
    )
    assert response.status_code == 200
    events = [orjson.loads(raw[6:]) for raw in response.text.split("\r\n\r\n") if raw]
    for event in events[:-1]:
        validate_chunk("GenerateContentResponse", event, "gemini.yaml")
    google_error(events[-1], 502, "UNAVAILABLE")


def test_a_json_array_stream_that_fails_ends_with_the_error_as_its_last_element(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=5))
    response = client.post(STREAM.format(model="gemini-2.5-pro"), json=HELLO, headers=GOOGLE_KEY)
    assert response.status_code == 200
    elements = response.json()  # still one whole array
    assert len(elements) >= 2
    for element in elements[:-1]:
        validate_chunk("GenerateContentResponse", element, "gemini.yaml")
    google_error(elements[-1], 502, "UNAVAILABLE")


def test_openais_model_listing_stays_openais(client: httpx.Client) -> None:
    response = client.get("/v1/models", headers=AUTH)
    assert response.status_code == 200 and response.json()["object"] == "list"
    response = client.get("/v1beta/models", headers=GOOGLE_KEY)
    assert response.status_code == 200 and "models" in response.json()


def test_only_its_own_methods_under_v1_models_are_answered_in_googles_shape(
    client: httpx.Client,
) -> None:
    response = client.post("/v1/models/no-such-model:generateContent", json=HELLO, headers=AUTH)
    answered(response, 404, "NOT_FOUND")
    response = client.get("/v1/models/no:such", headers=AUTH)
    assert response.status_code == 404 and response.json()["error"]["type"] == "not_found_error"
