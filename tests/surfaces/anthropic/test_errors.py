"""Every error on /v1/messages, whatever its source, in Anthropic's shape with its status,
a `request-id` header; in a stream, an `event: error`. And keys checked before routing."""

from __future__ import annotations

import httpx
import orjson
import pytest

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator, Fault
from openapi_oracle import validate_chunk

MESSAGE = {"model": "gpt-4o", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
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
