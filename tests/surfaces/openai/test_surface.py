"""The OpenAI surface's own way of saying errors and events."""

from __future__ import annotations

import orjson

from copilot_gateway.errors import GatewayError, NotFound, RateLimited, UpstreamFailed
from copilot_gateway.surfaces.openai.surface import OPENAI, error_type


def test_an_error_response_is_openai_shaped_json_with_its_headers() -> None:
    response = OPENAI.error_response(RateLimited("slow down", headers={"retry-after": "3"}))
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/json"
    assert response.headers["retry-after"] == "3"
    assert orjson.loads(response.body) == {
        "error": {
            "message": "slow down",
            "type": "rate_limit_error",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }


def test_an_explicit_status_sets_the_type_and_an_explicit_code_wins() -> None:
    assert error_type(GatewayError("x", status=422)) == "invalid_request_error"
    body = OPENAI.error_body(NotFound("x", code="model_not_found", param="model"))
    assert body["error"]["code"] == "model_not_found" and body["error"]["param"] == "model"


def test_a_stream_error_is_one_data_event_with_the_error_object() -> None:
    raw = OPENAI.stream_error_event(UpstreamFailed("cut"))
    assert raw.startswith(b"data: ") and raw.endswith(b"\n\n") and raw.count(b"\n\n") == 1
    assert orjson.loads(raw[6:])["error"] == {
        "message": "cut",
        "type": "api_error",
        "param": None,
        "code": "upstream_error",
    }


def test_named_events_carry_their_name_before_the_data() -> None:
    raw = OPENAI.sse_event({"type": "response.created"}, "response.created")
    assert raw == b'event: response.created\ndata: {"type":"response.created"}\n\n'
