"""Bodies over the size limit are refused with 413, before they are read whole."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator
from servers import gateway_settings, serving, until

LIMIT = 4096


@pytest.fixture
def small_gateway(emulator_url: str) -> Iterator[str]:
    with serving(gateway_settings(emulator_url, max_body_bytes=LIMIT)) as url:
        yield url


def test_declared_length_over_the_limit_is_413(small_gateway: str) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x" * (LIMIT * 2)}]}
    response = httpx.post(
        f"{small_gateway}/v1/chat/completions",
        json=body,
        headers={"Authorization": "Bearer sk-test-key"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_streamed_body_over_the_limit_is_413(small_gateway: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "'
        for _ in range(10):
            yield b"x" * 1024
        yield b'"}]}'

    response = httpx.post(
        f"{small_gateway}/v1/chat/completions",
        content=chunks(),
        headers={"Authorization": "Bearer sk-test-key", "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers  # sent chunked
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_chunked_body_within_the_limit_is_read(small_gateway: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"model": "gpt-4o", '
        yield b'"messages": [{"role": "user", "content": "chunked"}]}'

    response = httpx.post(
        f"{small_gateway}/v1/chat/completions",
        content=chunks(),
        headers={"Authorization": "Bearer sk-test-key", "content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert "chunked" in response.json()["choices"][0]["message"]["content"]


def test_body_within_the_limit_passes(small_gateway: str) -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "small"}]}
    response = httpx.post(
        f"{small_gateway}/v1/chat/completions",
        json=body,
        headers={"Authorization": "Bearer sk-test-key"},
    )
    assert response.status_code == 200


def test_a_body_arriving_too_slowly_is_408(
    emulator: CopilotEmulator, emulator_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="copilot_gateway.access")

    def answered_408() -> bool:
        access = [r for r in caplog.records if r.name == "copilot_gateway.access"]
        return any(getattr(record, "status", None) == 408 for record in access)

    def slow() -> Iterator[bytes]:
        yield b'{"model": "gpt-4o", '
        # The rest comes only once the gateway has given up on it (its access line says so).
        assert until(answered_408), "the gateway kept waiting for the body"
        yield b'"messages": [{"role": "user", "content": "late"}]}'

    with serving(gateway_settings(emulator_url, body_timeout=0.5)) as url:
        response = httpx.post(
            f"{url}/v1/chat/completions",
            content=slow(),
            headers={"Authorization": "Bearer sk-test-key", "content-type": "application/json"},
        )
        assert response.status_code == 408
        assert response.json()["error"]["code"] == "request_timeout"
        # A stream may last longer than the body timeout: only the body's arrival is timed.
        emulator.config.token_interval_ms = 100
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "stream": True}
        streamed = httpx.post(
            f"{url}/v1/chat/completions", json=body, headers={"Authorization": "Bearer sk-test-key"}
        )
        assert streamed.text.endswith("data: [DONE]\n\n")
