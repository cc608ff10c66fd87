"""What every response carries, and the routes outside the OpenAI operations."""

from __future__ import annotations

import httpx


def test_request_id_is_generated_when_absent(client: httpx.Client) -> None:
    first = client.get("/v1/models").headers["x-request-id"]
    second = client.get("/v1/models").headers["x-request-id"]
    assert first and second and first != second


def test_request_id_is_echoed_when_sent(client: httpx.Client) -> None:
    response = client.get("/v1/models", headers={"X-Request-Id": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"


def test_request_id_is_on_errors_too(client: httpx.Client) -> None:
    assert (
        client.get("/nowhere", headers={"X-Request-Id": "trace-404"}).headers["x-request-id"]
        == "trace-404"
    )


def test_unsafe_request_id_is_replaced(client: httpx.Client) -> None:
    response = client.get("/v1/models", headers={"X-Request-Id": "a" * 500})
    assert response.headers["x-request-id"] != "a" * 500


def test_healthz_needs_no_key(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_spec_is_published_with_this_gateways_url(gateway_url: str) -> None:
    spec = httpx.get(f"{gateway_url}/openapi.json").json()
    assert spec["servers"] == [{"url": f"{gateway_url}/v1"}]
    assert "createChatCompletion" in str(spec["paths"]["/chat/completions"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_serve_swagger_ui_on_the_published_spec(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/docs/", follow_redirects=True)
    assert response.status_code == 200 and "swagger" in response.text.lower()


def test_aliases_answer_like_the_v1_paths(client: httpx.Client) -> None:
    assert client.get("/models").json() == client.get("/v1/models").json()
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "alias"}]}
    alias = client.post("/openai", json=body).json()
    direct = client.post("/v1/chat/completions", json=body).json()
    assert alias["choices"] == direct["choices"]
