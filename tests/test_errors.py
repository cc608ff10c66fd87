from __future__ import annotations

import orjson

from copilot_gateway.errors import (
    GatewayError,
    NotFound,
    RateLimited,
    UpstreamFailed,
    error_response,
    sse_error_event,
    type_for_status,
)


def test_status_maps_to_openai_types() -> None:
    assert type_for_status(400) == "invalid_request_error"
    assert type_for_status(401) == "authentication_error"
    assert type_for_status(404) == "not_found_error"
    assert type_for_status(429) == "rate_limit_error"
    assert type_for_status(500) == "server_error"
    assert type_for_status(502) == "api_error"


def test_response_is_openai_shaped_json_with_headers() -> None:
    response = error_response(RateLimited("slow down", headers={"retry-after": "3"}))
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


def test_explicit_status_sets_the_type() -> None:
    assert GatewayError("x", status=422).type == "invalid_request_error"
    assert NotFound("x", code="model_not_found").body()["error"]["code"] == "model_not_found"


def test_sse_error_event_is_one_data_event() -> None:
    raw = sse_error_event(UpstreamFailed("cut"))
    assert raw.startswith(b"data: ") and raw.endswith(b"\n\n")
    assert orjson.loads(raw[6:])["error"]["type"] == "api_error"
