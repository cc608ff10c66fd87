"""The openai upstream: any OpenAI-compatible server. Here: a second gateway, on the emulator."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import orjson
import pytest

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig
from openapi_oracle import sse_chunks, validate_chunk
from servers import gateway_settings, running, serving

AUTH = {"Authorization": "Bearer sk-front"}
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "through two gateways"}]}


@pytest.fixture
def front_url(gateway_url: str) -> Iterator[str]:
    settings = gateway_settings(
        "unused",
        upstream="openai",
        upstream_url=f"{gateway_url}/v1",
        upstream_api_key="sk-test-key",
        api_keys="sk-front",
    )
    with serving(settings) as url:
        yield url


def test_models_pass_through(front_url: str, gateway_url: str) -> None:
    front = httpx.get(f"{front_url}/v1/models", headers=AUTH).json()
    back = httpx.get(
        f"{gateway_url}/v1/models", headers={"Authorization": "Bearer sk-test-key"}
    ).json()
    assert front == back


def test_chat_and_stream_pass_through(front_url: str) -> None:
    plain = httpx.post(f"{front_url}/v1/chat/completions", json=CHAT, headers=AUTH).json()
    assert "through two gateways" in plain["choices"][0]["message"]["content"]
    streamed = httpx.post(
        f"{front_url}/v1/chat/completions", json={**CHAT, "stream": True}, headers=AUTH
    )
    for chunk in sse_chunks(streamed.text):  # framing checked, [DONE] last
        validate_chunk("CreateChatCompletionStreamResponse", chunk)


def test_upstream_key_is_sent_and_a_wrong_one_is_a_502(gateway_url: str) -> None:
    settings = gateway_settings(
        "unused",
        upstream="openai",
        upstream_url=f"{gateway_url}/v1",
        upstream_api_key="sk-wrong",
        api_keys="sk-front",
    )
    with serving(settings) as url:
        response = httpx.get(f"{url}/v1/models", headers=AUTH)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "upstream_authentication_failed"
    assert "sk-wrong" not in response.text


def test_upstream_errors_keep_their_code(front_url: str) -> None:
    response = httpx.get(f"{front_url}/v1/models/none-such", headers=AUTH)
    assert response.status_code == 404


def post(url: str, path: str, body: dict) -> httpx.Response:
    return httpx.post(url + path, json=body, headers={"Authorization": "Bearer sk-test-key"})


def stream_usage(url: str) -> dict:
    body = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
    events = post(url, "/v1/chat/completions", body).text.split("\n\n")
    return orjson.loads(events[-3].removeprefix("data: "))["usage"]


def test_usage_is_counted_when_the_upstream_reports_none() -> None:
    """Two emulators, one silent about usage: the gateway's count equals the reported one."""
    silent = CopilotEmulator(EmulatorConfig(omit_usage=True))
    reporting = CopilotEmulator()
    embed = {"model": "text-embedding-3-small", "input": ["count me", "and me"]}
    with (
        running(silent.app) as silent_url,
        running(reporting.app) as reporting_url,
        serving(gateway_settings(silent_url)) as counted,
        serving(gateway_settings(reporting_url)) as reported,
    ):
        for path, body in (("/v1/chat/completions", CHAT), ("/v1/embeddings", embed)):
            assert (
                post(counted, path, body).json()["usage"]
                == post(reported, path, body).json()["usage"]
            )
        assert stream_usage(counted) == stream_usage(reported)
        legacy = {"model": "gpt-4o", "prompt": ["one", "two"], "n": 2}
        assert (
            post(counted, "/v1/completions", legacy).json()["usage"]
            == (post(reported, "/v1/completions", legacy).json()["usage"])
        )


def test_a_prompt_over_the_limit_reaches_an_anthropic_client_in_anthropics_words(
    front_url: str,
) -> None:
    """The front knows no limits (an OpenAI-compatible catalogue gives none): the back
    refuses with OpenAI's `context_length_exceeded`, whose numbers the front reads."""
    body = {
        "model": "gpt-4o",
        "max_tokens": 30,
        "messages": [{"role": "user", "content": "hello " * 80_000}],
    }
    response = httpx.post(f"{front_url}/v1/messages", json=body, headers=AUTH)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert re.fullmatch(r"prompt is too long: \d+ tokens > 64000 maximum", error["message"])
