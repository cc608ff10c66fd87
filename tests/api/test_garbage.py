"""Whatever a client sends, the answer is never a 500, and a refusal is OpenAI-shaped."""

from __future__ import annotations

import socket

import httpx
import orjson
import pytest

HI = b'"messages": [{"role": "user", "content": "hi"}]'
GARBAGE = [
    b"not json at all",
    b"\x00\x01\x02",
    b'{"model": "gpt-4o", ' + HI + b"}\x00",
    b"[" * 5000 + b"]" * 5000,
    b'{"model": "gpt-4o", "messages": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"model": "gpt-4o", ' + HI + b', "temperature": 1e400}',
    b'{"model": "gpt-4o", ' + HI + b', "n": 123456789012345678901234567890}',
    b'{"model": "gpt-4o", "model": 5, ' + HI + b"}",
    b'{"model": "\xed\xa0\x80", "messages": []}',
    b"\xef\xbb\xbf{}",
    b"",
]


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"])
def test_garbage_bodies_are_refused_in_openai_shape(
    client: httpx.Client, path: str, body: bytes
) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}


def test_a_nul_inside_a_string_is_just_text(client: httpx.Client) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "a\u0000b"}]}
    assert client.post("/v1/chat/completions", json=body).status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ],
)
def test_other_content_types_are_415(client: httpx.Client, content_type: str) -> None:
    response = client.post(
        "/v1/chat/completions", content=b"model=gpt-4o", headers={"content-type": content_type}
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


BROKEN_HEADERS = [
    b"X-Evil: a\rb\r\n",  # a bare CR inside a value
    b"X-Evil: a\nInjected: b\r\n",  # a bare LF, smuggling a header in
    b"X Evil: a\r\n",  # a space inside a name
]


@pytest.mark.parametrize("header", BROKEN_HEADERS, ids=["bare-cr", "bare-lf", "bad-name"])
def test_requests_that_are_not_valid_http_get_an_openai_error(
    gateway_url: str, header: bytes
) -> None:
    """uvicorn's parser refuses them before the app; the gateway answers in OpenAI's shape.
    The gateway is the suite's shared one (`servers.serving` serves it with `serve`'s HTTP
    protocol), not a `serve` process per case."""
    port = int(gateway_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(b"GET /v1/models HTTP/1.1\r\nHost: gateway\r\n" + header + b"\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/json" in head.lower()
    error = orjson.loads(body)["error"]
    assert error["type"] == "invalid_request_error" and error["code"] == "invalid_http"
