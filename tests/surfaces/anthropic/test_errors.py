"""Every error on /v1/messages, whatever its source, in Anthropic's shape with its status,
a `request-id` header; in a stream, an `event: error`. And keys checked before routing."""

from __future__ import annotations

import httpx
import orjson
import pytest

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator, Fault
from openapi_oracle import validate_chunk

MESSAGE_TURN = {"role": "user", "content": "hi"}
MESSAGE = {"model": "gpt-4o", "max_tokens": 50, "messages": [MESSAGE_TURN]}
ROUTES = ["claude-sonnet-4", "gpt-4o"]  # native, translated
X_API_KEY = {"x-api-key": API_KEY}


def anthropic_error(response: httpx.Response, status: int, kind: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["request-id"] == response.headers["x-request-id"]
    body = response.json()
    validate_chunk("ErrorResponse", body, "anthropic.yaml")
    assert body["type"] == "error" and body["error"]["type"] == kind
    return str(body["error"]["message"])


@pytest.mark.parametrize("headers", [{"x-api-key": "sk-wrong"}, {"Authorization": "Bearer no"}, {}])
def test_a_wrong_or_missing_key_is_401(gateway_url: str, headers: dict[str, str]) -> None:
    response = httpx.post(f"{gateway_url}/v1/messages", json=MESSAGE, headers=headers)
    anthropic_error(response, 401, "authentication_error")


@pytest.mark.parametrize("path", ["/v1/messages/nothing", "/v1/nothing", "/nothing"])
def test_a_wrong_key_is_401_on_unknown_paths_too(gateway_url: str, path: str) -> None:
    """Else a wrong key would look like a missing route."""
    response = httpx.get(gateway_url + path, headers={"x-api-key": "sk-wrong"})
    assert response.status_code == 401
    response = httpx.get(gateway_url + path, headers={"x-api-key": API_KEY})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json", "/openapi/anthropic.json", "/docs"])
def test_open_paths_need_no_key(gateway_url: str, path: str) -> None:
    assert httpx.get(gateway_url + path, follow_redirects=True).status_code == 200


def test_unknown_path_under_messages_is_404_in_anthropic_shape(client: httpx.Client) -> None:
    anthropic_error(client.get("/v1/messages/nothing"), 404, "not_found_error")


def test_wrong_method_is_405_in_anthropic_shape(client: httpx.Client) -> None:
    response = client.get("/v1/messages")
    anthropic_error(response, 405, "invalid_request_error")
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({k: v for k, v in MESSAGE.items() if k != "max_tokens"}, "max_tokens"),
        ({**MESSAGE, "messages": "hi"}, "messages"),
        ({**MESSAGE, "max_tokens": "many"}, "max_tokens"),
    ],
)
def test_invalid_body_is_400_naming_the_field(client: httpx.Client, body: dict, named: str) -> None:
    message = anthropic_error(client.post("/v1/messages", json=body), 400, "invalid_request_error")
    assert named in message


@pytest.mark.parametrize("model", ROUTES)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", {}),
        ("temperature", 1.5),
        ("top_p", "high"),
        ("top_p", -0.1),
        ("top_k", 2.5),
        ("top_k", -1),
        ("stop_sequences", "END"),
        ("metadata", {"user_id": 7}),
        ("service_tier", "fastest"),
    ],
)
def test_sampling_settings_of_the_wrong_type_or_range_are_400(
    client: httpx.Client, model: str, field: str, value: object
) -> None:
    body = {**MESSAGE, "model": model, field: value}
    message = anthropic_error(client.post("/v1/messages", json=body), 400, "invalid_request_error")
    assert field in message


@pytest.mark.parametrize("model", ROUTES)
def test_sampling_settings_in_range_are_served(client: httpx.Client, model: str) -> None:
    sampling = {"temperature": 0.2, "top_p": 0.9, "top_k": 5, "stop_sequences": ["END"]}
    response = client.post("/v1/messages", json={**MESSAGE, "model": model, **sampling})
    assert response.status_code == 200, response.text


EMPTY_TURNS = [
    # The spec says a user message has content; the surface, that only a final assistant
    # message (a prefill) may be empty, as Anthropic's API words it.
    ([{"role": "user", "content": []}], "'messages[0].content': [] has less than 1 item"),
    ([{"role": "user", "content": ""}], "'messages[0].content': \"\" is shorter than 1"),
    (
        [MESSAGE_TURN, {"role": "assistant", "content": []}, MESSAGE_TURN],
        "messages.1: all messages must have non-empty content except for the optional final "
        "assistant message",
    ),
    (
        [MESSAGE_TURN, {"role": "assistant", "content": ""}, MESSAGE_TURN],
        "messages.1: all messages must have non-empty content",
    ),
]


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/count_tokens"])
@pytest.mark.parametrize("model", ROUTES)
@pytest.mark.parametrize(("messages", "said"), EMPTY_TURNS)
def test_a_message_without_content_is_400_on_both_routes(
    client: httpx.Client, path: str, model: str, messages: list[dict], said: str
) -> None:
    body = {**MESSAGE, "model": model, "messages": messages}
    assert said in anthropic_error(client.post(path, json=body), 400, "invalid_request_error")


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/count_tokens"])
@pytest.mark.parametrize("model", ROUTES)
def test_an_empty_final_assistant_message_is_served(
    client: httpx.Client, path: str, model: str
) -> None:
    messages = [MESSAGE_TURN, {"role": "assistant", "content": []}]
    response = client.post(path, json={**MESSAGE, "model": model, "messages": messages})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/count_tokens"])
def test_a_request_without_messages_is_400(client: httpx.Client, path: str) -> None:
    response = client.post(path, json={**MESSAGE, "messages": []})
    said = anthropic_error(response, 400, "invalid_request_error")
    assert "'messages': [] has less than 1 item" in said


def test_a_translated_request_left_with_nothing_to_send_is_400(client: httpx.Client) -> None:
    """Thinking and system messages without content are dropped on the way to chat."""
    thinking = {"type": "thinking", "thinking": "hm", "signature": "s"}
    messages = [{"role": "system"}, {"role": "user", "content": [thinking]}]
    response = client.post("/v1/messages", json={**MESSAGE, "messages": messages})
    assert "nothing in them can be sent" in anthropic_error(response, 400, "invalid_request_error")
    native = client.post(
        "/v1/messages", json={**MESSAGE, "model": "claude-sonnet-4", "messages": messages}
    )
    assert native.status_code == 200, native.text


def test_malformed_json_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/v1/messages", content=b"{", headers={"content-type": "application/json"}
    )
    anthropic_error(response, 400, "invalid_request_error")


def test_unknown_model_is_404(client: httpx.Client) -> None:
    response = client.post("/v1/messages", json={**MESSAGE, "model": "no-such-model"})
    assert "no-such-model" in anthropic_error(response, 404, "not_found_error")


@pytest.mark.parametrize(
    ("upstream", "status", "kind"),
    [(429, 429, "rate_limit_error"), (503, 529, "overloaded_error"), (500, 502, "api_error")],
)
@pytest.mark.parametrize("model", ["claude-sonnet-4", "gpt-4o"])
def test_upstream_failures_keep_anthropic_statuses(
    client: httpx.Client,
    emulator: CopilotEmulator,
    model: str,
    upstream: int,
    status: int,
    kind: str,
) -> None:
    emulator.state.faults += [Fault(status=upstream, headers={"retry-after": "60"})] * 3
    response = client.post("/v1/messages", json={**MESSAGE, "model": model})
    anthropic_error(response, status, kind)


def test_a_stream_cut_upstream_ends_with_an_error_event(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=4))
    response = client.post("/v1/messages", json={**MESSAGE, "stream": True})
    assert response.status_code == 200
    last = response.text.strip().split("\n\n")[-1]
    name, data = last.split("\n")
    assert name == "event: error"
    body = orjson.loads(data.removeprefix("data: "))
    validate_chunk("ErrorResponse", body, "anthropic.yaml")
    assert body["error"]["type"] == "api_error"
    assert "event: message_stop" not in response.text
