"""Every error a client can meet is OpenAI's shape, JSON, with the right status."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from servers import gateway_settings, running, serving

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def assert_openai_error(
    response: httpx.Response, status: int, type_: str, param: str | None = None
) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == type_
    assert error["param"] == param
    assert error["message"]
    return error


def test_validation_error_names_the_field(client: httpx.Client) -> None:
    response = client.post(
        "/v1/chat/completions", json={"model": "gpt-4o", "messages": [{"content": "hi"}]}
    )
    error = assert_openai_error(response, 400, "invalid_request_error", "messages[0].role")
    assert "messages[0].role" in error["message"]


def test_missing_required_field(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", json={"model": "gpt-4o"})
    assert_openai_error(response, 400, "invalid_request_error", "messages")


def test_malformed_json(client: httpx.Client) -> None:
    response = client.post(
        "/v1/chat/completions", content=b'{"model": ', headers={"content-type": "application/json"}
    )
    assert_openai_error(response, 400, "invalid_request_error")


def test_body_that_is_not_utf8(client: httpx.Client) -> None:
    response = client.post(
        "/v1/embeddings",
        content=b'{"model": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    )
    assert_openai_error(response, 400, "invalid_request_error")


def test_empty_body(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", headers={"content-type": "application/json"})
    assert_openai_error(response, 400, "invalid_request_error")


def test_json_that_is_not_an_object(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", json=[1, 2])
    assert_openai_error(response, 400, "invalid_request_error")


def test_wrong_content_type(client: httpx.Client) -> None:
    response = client.post(
        "/v1/chat/completions", content=b"model=gpt-4o", headers={"content-type": "text/plain"}
    )
    error = assert_openai_error(response, 415, "invalid_request_error")
    assert error["code"] == "unsupported_media_type"


def test_unknown_path_is_404(client: httpx.Client) -> None:
    error = assert_openai_error(client.get("/v1/nothing-here"), 404, "not_found_error")
    assert error["code"] == "unknown_url"


def test_wrong_method_is_405_with_allow(client: httpx.Client) -> None:
    response = client.delete("/v1/chat/completions")
    assert_openai_error(response, 405, "invalid_request_error")
    assert "POST" in response.headers["allow"]


def test_unknown_model_is_404_model_not_found(client: httpx.Client) -> None:
    error = assert_openai_error(
        client.get("/v1/models/no-such-model"), 404, "not_found_error", "model"
    )
    assert error["code"] == "model_not_found"


def test_missing_key_is_401_with_www_authenticate(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/v1/models")
    error = assert_openai_error(response, 401, "authentication_error")
    assert error["code"] == "invalid_api_key"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization", ["Bearer sk-wrong", "Basic c2stdGVzdC1rZXk6", "Bearer", "sk-test-key"]
)
def test_every_failed_authentication_looks_the_same(gateway_url: str, authorization: str) -> None:
    response = httpx.get(f"{gateway_url}/v1/models", headers={"Authorization": authorization})
    missing = httpx.get(f"{gateway_url}/v1/models")
    assert response.status_code == 401
    assert response.json() == missing.json()
    assert "sk-wrong" not in response.text


def test_every_operation_needs_a_key(gateway_url: str) -> None:
    calls = [
        ("GET", "/v1/models"),
        ("GET", "/models"),
        ("GET", "/v1/models/gpt-4o"),
        ("POST", "/v1/chat/completions"),
        ("POST", "/openai"),
        ("POST", "/v1/completions"),
        ("POST", "/v1/embeddings"),
    ]
    for method, path in calls:
        response = httpx.request(method, gateway_url + path, json={})
        assert response.status_code == 401, (method, path)


def test_model_of_the_wrong_kind_is_refused(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", json={**CHAT, "model": "text-embedding-3-small"})
    error = assert_openai_error(response, 404, "not_found_error", "model")
    assert error["code"] == "model_not_supported"
    response = client.post("/v1/embeddings", json={"model": "gpt-4o", "input": "x"})
    assert response.json()["error"]["code"] == "model_not_supported"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat/completions", {**CHAT, "model": "gpt-9"}),
        ("/v1/completions", {"model": "gpt-9", "prompt": "x"}),
        ("/v1/embeddings", {"model": "gpt-9", "input": "x"}),
    ],
)
def test_unknown_model_is_404_on_every_operation(
    client: httpx.Client, path: str, body: dict
) -> None:
    error = assert_openai_error(client.post(path, json=body), 404, "not_found_error", "model")
    assert error["code"] == "model_not_found"


def bogus_upstream() -> Starlette:
    """An OpenAI-compatible upstream whose chat answers carry an unknown finish_reason."""

    async def models(_request: Request) -> JSONResponse:
        model = {"id": "gpt-4o", "object": "model", "created": 0, "owned_by": "x"}
        return JSONResponse({"object": "list", "data": [model]})

    async def chat(_request: Request) -> JSONResponse:
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": "hi"},
            "finish_reason": "bogus",
        }
        return JSONResponse({"id": "x", "model": "gpt-4o", "choices": [choice]})

    return Starlette(
        routes=[Route("/models", models), Route("/chat/completions", chat, methods=["POST"])]
    )


@pytest.mark.parametrize(("mode", "status"), [("reject", 502), ("log", 200)])
def test_malformed_upstream_answer_is_refused_or_only_logged(
    mode: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    settings = {"upstream": "openai", "upstream_validation": mode}
    with (
        running(bogus_upstream()) as upstream_url,
        serving(gateway_settings("unused", upstream_url=upstream_url, **settings)) as url,
    ):
        response = httpx.post(
            f"{url}/v1/chat/completions", json=CHAT, headers={"Authorization": "Bearer sk-test-key"}
        )
    assert response.status_code == status
    if mode == "reject":
        error = assert_openai_error(response, 502, "api_error")
        assert error["code"] == "upstream_invalid_response"
    assert "does not conform" in caplog.text and "choices[0].finish_reason" in caplog.text


def test_model_id_with_a_newline_is_an_openai_404(client: httpx.Client) -> None:
    """Found by schemathesis: no route matches such a path; the answer is still ours."""
    error = assert_openai_error(client.get("/v1/models/u%0A"), 404, "not_found_error")
    assert error["code"] == "unknown_url"


def test_a_non_json_upstream_answer_is_a_502_logged_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def models(_request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "object": "list",
                "data": [{"id": "gpt-4o", "object": "model", "created": 0, "owned_by": "x"}],
            }
        )

    async def chat(_request: Request) -> Response:
        return Response("<html>oops</html>", media_type="text/html")

    upstream = Starlette(
        routes=[Route("/models", models), Route("/chat/completions", chat, methods=["POST"])]
    )
    settings = {"upstream": "openai"}
    with (
        running(upstream) as upstream_url,
        serving(gateway_settings("unused", upstream_url=upstream_url, **settings)) as url,
    ):
        response = httpx.post(
            f"{url}/v1/chat/completions",
            json=CHAT,
            headers={"Authorization": "Bearer sk-test-key", "X-Request-Id": "trace-oops"},
        )
    assert_openai_error(response, 502, "api_error")
    logged = [r for r in caplog.records if "not a JSON object" in r.getMessage()]
    assert logged and all(getattr(r, "request_id", None) == "trace-oops" for r in logged)
