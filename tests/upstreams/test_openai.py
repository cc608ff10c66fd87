"""The openai upstream: any OpenAI-compatible server. Here: a second gateway, on the emulator."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import orjson
import pytest

from access_lines import access_line, capture_access
from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig
from copilot_gateway.settings import Settings
from metrics_scrape import scrape, value
from openapi_oracle import sse_chunks, validate_chunk
from servers import gateway_settings, running, serving

AUTH = {"Authorization": "Bearer sk-front"}
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "through two gateways"}]}


def front_settings(gateway_url: str, **overrides: object) -> Settings:
    """A gateway whose openai upstream is the gateway at gateway_url."""
    values: dict[str, object] = {
        "upstream": "openai",
        "upstream_url": f"{gateway_url}/v1",
        "upstream_api_key": "sk-test-key",
        "api_keys": "sk-front",
        **overrides,
    }
    return gateway_settings("unused", **values)


@pytest.fixture
def front_url(gateway_url: str) -> Iterator[str]:
    with serving(front_settings(gateway_url)) as url:
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
    settings = front_settings(gateway_url, upstream_api_key="sk-wrong")
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


def test_credits_are_its_tokens_at_the_configured_price(
    gateway_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An OpenAI-compatible server bills nothing: the front gateway prices the tokens."""
    capture_access(caplog)
    # dollars per million tokens
    settings = front_settings(gateway_url, prices={"gpt-4o": {"input": 2.5, "output": 10.0}})
    labels = {"account": "", "key": "key-1", "model": "gpt-4o"}
    with serving(settings) as url:
        before = value(scrape(url), "gateway_credits_total", **labels)
        for number, body in enumerate((CHAT, {**CHAT, "stream": True})):
            headers = {**AUTH, "X-Request-Id": f"priced-{number}"}
            assert httpx.post(f"{url}/v1/chat/completions", json=body, headers=headers).is_success
        after = value(scrape(url), "gateway_credits_total", **labels)

    total = 0.0
    for request_id in ("priced-0", "priced-1"):
        fields = access_line(caplog, request_id)
        prompt, completion = fields["prompt_tokens"], fields["completion_tokens"]
        # $2.50 and $10 per million: 2.5e5 and 1e6 nano-AIU a token; 1e9 nano-AIU a credit
        expected = (prompt * 250_000 + completion * 1_000_000) / 1e9
        assert prompt > 0 and fields["credits"] == pytest.approx(expected)
        assert "account" not in fields  # an OpenAI-compatible server has no accounts
        total += expected
    assert after - before == pytest.approx(total)


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
