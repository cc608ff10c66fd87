"""Responses over a WebSocket (OpenAI's WebSocket mode), through the openai SDK's
`responses.connect()`, against a real gateway on the emulator: the SSE stream's events in
its order, continuations kept by the connection, one response at a time, the handshake's
401 and 426, and the limits on frames, messages, idle time and a connection's life."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import websockets
from openai.resources.responses.responses import ResponsesConnection
from websockets.sync.client import connect as raw_connect
from websockets.sync.connection import Connection

from conftest import API_KEY, AUTH
from copilot_gateway.emulator import CopilotEmulator
from openapi_oracle import validate_chunk
from servers import gated, gateway_settings, serving

TRANSLATED, NATIVE = "gpt-4o", "gpt-5.3-codex"
ROUTES = pytest.mark.parametrize("model", [TRANSLATED, NATIVE])
TERMINAL = ("response.completed", "response.incomplete", "response.failed", "error")


def sdk(gateway_url: str, api_key: str = API_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway_url}/v1", api_key=api_key, max_retries=0)


@pytest.fixture
def connection(gateway_url: str) -> Iterator[ResponsesConnection]:
    with sdk(gateway_url).responses.connect() as opened:
        yield opened


def turn(connection: ResponsesConnection) -> list[dict[str, Any]]:
    """One turn's events, up to its last, each checked against the spec's event union."""
    events = []
    for event in connection:
        body = event.to_dict(warnings=False)
        events.append(body)
        if body["type"] in TERMINAL:
            break
    for body in events:
        if body["type"] != "error":
            validate_chunk("ResponseStreamEvent", body)
    return events


def output_text(response: dict[str, Any]) -> str:
    messages = [item for item in response["output"] if item["type"] == "message"]
    return "".join(part["text"] for part in messages[-1]["content"])


def ws_url(gateway_url: str) -> str:
    return gateway_url.replace("http://", "ws://") + "/v1/responses"


@ROUTES
def test_a_turn_streams_the_events_of_the_sse_stream_in_their_order(
    connection: ResponsesConnection, client: httpx.Client, model: str
) -> None:
    connection.response.create(model=model, input="Hi there", store=False)
    events = turn(connection)
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    assert events[-1]["type"] == "response.completed"
    assert output_text(events[-1]["response"]).endswith("You said: Hi there")
    body = {"model": model, "input": "Hi there", "store": False, "stream": True}
    with client.stream("POST", "/v1/responses", json=body) as sse:
        lines = [line for line in sse.iter_lines() if line.startswith("event: ")]
    assert [event["type"] for event in events] == [line.removeprefix("event: ") for line in lines]


def test_previous_response_id_continues_the_connections_last_response_unstored(
    connection: ResponsesConnection, emulator: CopilotEmulator, client: httpx.Client
) -> None:
    connection.response.create(model=NATIVE, input="First question", store=False)
    first = turn(connection)[-1]["response"]
    connection.response.create(
        model=NATIVE, input="Second question", previous_response_id=first["id"], store=False
    )
    second = turn(connection)[-1]
    assert second["type"] == "response.completed"
    assert second["response"]["previous_response_id"] == first["id"]
    sent = emulator.state.responses_requests[-1]["input"]
    texts = [item["content"][0]["text"] for item in sent if item.get("role") == "user"]
    assert texts == ["First question", "Second question"]
    assert any(item.get("role") == "assistant" for item in sent)
    # Kept by the connection only: over HTTP it is not found.
    assert client.get(f"/v1/responses/{first['id']}").status_code == 404


def test_a_warm_up_answers_without_the_upstream_and_is_continued(
    connection: ResponsesConnection, emulator: CopilotEmulator
) -> None:
    connection.send(
        {"type": "response.create", "model": NATIVE, "input": "Context first", "generate": False}  # type: ignore[arg-type]
    )
    events = turn(connection)
    assert [event["type"] for event in events] == [
        "response.created",
        "response.in_progress",
        "response.completed",
    ]
    assert events[-1]["response"]["output"] == [] and not emulator.state.responses_requests
    warmed = events[-1]["response"]["id"]
    connection.response.create(model=NATIVE, input="Then this", previous_response_id=warmed)
    assert turn(connection)[-1]["type"] == "response.completed"
    sent = emulator.state.responses_requests[-1]["input"]
    assert [item["content"][0]["text"] for item in sent] == ["Context first", "Then this"]


def test_a_response_neither_last_nor_stored_is_previous_response_not_found(
    gateway_url: str, connection: ResponsesConnection
) -> None:
    connection.response.create(model=TRANSLATED, input="Remember me", store=False)
    earlier = turn(connection)[-1]["response"]["id"]
    with sdk(gateway_url).responses.connect() as other:
        other.response.create(model=TRANSLATED, input="Go on", previous_response_id=earlier)
        (error,) = turn(other)
        # The connection stays open: the full context is served.
        other.response.create(model=TRANSLATED, input="From the start")
        assert turn(other)[-1]["type"] == "response.completed"
    assert error == {
        "type": "error",
        "status": 400,
        "error": {
            "type": "invalid_request_error",
            "code": "previous_response_not_found",
            "message": f"Previous response with id '{earlier}' not found.",
            "param": "previous_response_id",
        },
    }


def test_a_stored_response_is_continued_on_a_new_connection(
    gateway_url: str, connection: ResponsesConnection
) -> None:
    connection.response.create(model=TRANSLATED, input="Keep this")
    stored = turn(connection)[-1]["response"]["id"]
    with sdk(gateway_url).responses.connect() as other:
        other.response.create(model=TRANSLATED, input="And this", previous_response_id=stored)
        assert turn(other)[-1]["type"] == "response.completed"


def test_a_second_create_while_one_runs_is_an_error_event() -> None:
    emulator = CopilotEmulator()
    with (
        gated(emulator.app) as (emulator_url, gate),
        serving(gateway_settings(emulator_url)) as gateway_url,
        sdk(gateway_url).responses.connect() as connection,
    ):
        connection.response.create(model=TRANSLATED, input="Slowly")
        gate.wait_until_held()
        connection.response.create(model=TRANSLATED, input="Meanwhile")
        events: list[dict[str, Any]] = []
        for event in connection:
            events.append(event.to_dict(warnings=False))
            if event.type == "error":
                gate.open()
            if event.type == "response.completed":
                break
    errors = [event for event in events if event["type"] == "error"]
    assert [error["error"]["code"] for error in errors] == ["response_in_progress"]
    completed = events[-1]["response"]
    assert output_text(completed).endswith("You said: Slowly")


def test_a_body_the_spec_refuses_is_an_error_event_naming_its_param(
    connection: ResponsesConnection,
) -> None:
    connection.send({"type": "response.create", "model": TRANSLATED, "input": 3})  # type: ignore[arg-type]
    (error,) = turn(connection)
    assert error["status"] == 400 and error["error"]["param"] == "input"
    connection.send({"type": "response.create", "model": TRANSLATED, "background": True})  # type: ignore[arg-type]
    (error,) = turn(connection)
    assert error["error"]["param"] == "background"


def test_a_message_of_another_type_is_an_error_event(gateway_url: str) -> None:
    with raw_connect(ws_url(gateway_url), additional_headers=AUTH) as socket:
        socket.send('{"type": "session.update"}')
        error = openai_json(socket.recv())
        socket.send("not json")
        garbage = openai_json(socket.recv())
    assert error["error"]["param"] == "type" and error["status"] == 400
    assert garbage["error"]["message"].startswith("The request body is not valid JSON")


def openai_json(frame: str | bytes | bytearray) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(frame)
    return loaded


def test_a_wrong_key_is_refused_at_the_handshake_with_401(gateway_url: str) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        raw_connect(ws_url(gateway_url), additional_headers={"Authorization": "Bearer sk-wrong"})
    response = refused.value.response
    assert response.status_code == 401
    assert openai_json(response.body)["error"]["type"] == "authentication_error"
    with pytest.raises(websockets.InvalidStatus) as missing:
        raw_connect(ws_url(gateway_url))
    assert missing.value.response.status_code == 401


def test_the_sdk_hears_the_401_too(gateway_url: str) -> None:
    with pytest.raises(Exception) as refused, sdk(gateway_url, "sk-wrong").responses.connect():
        pass
    assert "401" in str(refused.value)


@pytest.mark.own_servers
def test_websockets_turned_off_answer_the_upgrade_426(emulator_url: str) -> None:
    with serving(gateway_settings(emulator_url, websockets=False)) as gateway_url:
        with pytest.raises(websockets.InvalidStatus) as refused:
            raw_connect(ws_url(gateway_url), additional_headers=AUTH)
        response = refused.value.response
        assert response.status_code == 426
        assert openai_json(response.body)["error"]["code"] == "websockets_disabled"
        # HTTP is served as ever.
        answered = httpx.post(
            f"{gateway_url}/v1/responses",
            headers=AUTH,
            json={"model": TRANSLATED, "input": "Hi"},
            timeout=30,  # httpx's default 5 s: a loaded machine's first turn may take longer
        )
        assert answered.status_code == 200


def test_get_over_http_answers_as_before(client: httpx.Client) -> None:
    assert client.get("/v1/responses").status_code == 405


def test_another_path_is_404_at_the_handshake(gateway_url: str) -> None:
    url = gateway_url.replace("http://", "ws://") + "/v1/chat/completions"
    with pytest.raises(websockets.InvalidStatus) as refused:
        raw_connect(url, additional_headers=AUTH)
    assert refused.value.response.status_code == 404


@contextmanager
def socket_with(emulator_url: str, **settings: object) -> Iterator[Connection]:
    """A raw WebSocket to a gateway of its own, with these settings."""
    with (
        serving(gateway_settings(emulator_url, **settings)) as gateway_url,
        raw_connect(ws_url(gateway_url), additional_headers=AUTH, max_size=None) as socket,
    ):
        yield socket


@pytest.mark.own_servers
def test_a_frame_past_the_limit_closes_the_connection_with_1009(emulator_url: str) -> None:
    with socket_with(emulator_url, websocket_max_frame_bytes=4096) as socket:
        socket.send(f'{{"type": "response.create", "model": "gpt-4o", "input": "{"x" * 8192}"}}')
        with pytest.raises(websockets.ConnectionClosed) as closed:
            socket.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


@pytest.mark.own_servers
def test_an_idle_connection_is_closed(emulator_url: str) -> None:
    with (
        socket_with(emulator_url, websocket_idle_seconds=0.2) as socket,
        pytest.raises(websockets.ConnectionClosedOK) as closed,
    ):
        socket.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1000, "idle timeout")


@pytest.mark.own_servers
def test_a_connection_past_its_life_ends_with_the_limit_error(emulator_url: str) -> None:
    with socket_with(emulator_url, websocket_connection_seconds=0.5) as socket:
        error = openai_json(socket.recv())
        with pytest.raises(websockets.ConnectionClosedOK):
            socket.recv()
    assert error["error"]["code"] == "websocket_connection_limit_reached"


@pytest.mark.own_servers
def test_messages_past_the_rate_are_error_events(emulator_url: str) -> None:
    with socket_with(emulator_url, websocket_messages_per_minute=2) as socket:
        for _ in range(3):
            socket.send('{"type": "unknown"}')
        codes = [openai_json(socket.recv())["error"]["code"] for _ in range(3)]
    assert codes == ["invalid_event_type", "invalid_event_type", "rate_limit_exceeded"]


@pytest.mark.own_servers
def test_each_turn_is_within_its_keys_limits(emulator_url: str, tmp_path: Path) -> None:
    key = "sk-team-limited"
    config = tmp_path / "gateway.toml"
    digest = hashlib.sha256(key.encode()).hexdigest()
    config.write_text(f'[[keys]]\nname = "team"\nsha256 = "{digest}"\nrpm = 1\n')
    settings = gateway_settings(emulator_url, config_file=config)
    with serving(settings) as gateway_url, sdk(gateway_url, key).responses.connect() as connection:
        connection.response.create(model=TRANSLATED, input="Once")
        assert turn(connection)[-1]["type"] == "response.completed"
        connection.response.create(model=TRANSLATED, input="Twice")
        (refused,) = turn(connection)
    assert refused["status"] == 429 and refused["error"]["type"] == "rate_limit_error"
