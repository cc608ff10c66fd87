"""Secrets never appear in logs, errors or responses, whatever happens."""

from __future__ import annotations

import logging

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.observability.logs import TextFormatter, json_formatter
from servers import gateway_settings, serving

CLIENT_KEY = "sk-SECRET-CLIENT-KEY-1234"
WRONG_KEY = "sk-SECRET-WRONG-KEY-9876"
GITHUB_TOKEN = "gho_SECRETGITHUBTOKEN5678"
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def exercise(url: str, emulator: CopilotEmulator) -> list[httpx.Response]:
    """Every kind of exchange: successes, streams, client errors, upstream failures."""
    auth = {"Authorization": f"Bearer {CLIENT_KEY}"}
    calls = [
        ("GET", "/v1/models", None, auth),
        ("POST", "/v1/chat/completions", CHAT, auth),
        ("POST", "/v1/chat/completions", {**CHAT, "stream": True}, auth),
        ("POST", "/v1/completions", {"model": "gpt-4o", "prompt": "x"}, auth),
        ("POST", "/v1/embeddings", {"model": "text-embedding-3-small", "input": "x"}, auth),
        ("POST", "/v1/chat/completions", {"model": "gpt-4o"}, auth),
        ("GET", "/v1/models", None, {"Authorization": f"Bearer {WRONG_KEY}"}),
        ("GET", "/v1/models", None, {"Authorization": f"Basic {WRONG_KEY}"}),
        ("GET", "/v1/models/none", None, auth),
    ]
    responses = [httpx.request(m, url + p, json=b, headers=h) for m, p, b, h in calls]
    for token in emulator.state.issued:  # expire the Copilot token: a re-exchange follows
        emulator.state.issued[token] = 0
    emulator.state.faults += [Fault(status=500)] * 3
    responses.append(httpx.post(f"{url}/v1/chat/completions", json=CHAT, headers=auth))
    emulator.state.faults.append(Fault(cut_after_chunks=2))
    responses.append(
        httpx.post(f"{url}/v1/chat/completions", json={**CHAT, "stream": True}, headers=auth)
    )
    return responses


def test_no_secret_in_any_log_line_response_header_or_metric(
    emulator: CopilotEmulator, emulator_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = gateway_settings(emulator_url, api_keys=CLIENT_KEY, github_token=GITHUB_TOKEN)
    with serving(settings) as url:
        responses = exercise(url, emulator)
        metrics = httpx.get(f"{url}/metrics").text
    copilot_tokens = list(emulator.state.issued)
    assert len(copilot_tokens) >= 2 and any(r.status_code == 200 for r in responses)
    secrets = [CLIENT_KEY, WRONG_KEY, GITHUB_TOKEN, *copilot_tokens]
    # Every line as it would be written, in both formats, access lines' fields included.
    seen = [json_formatter().format(record) for record in caplog.records]
    seen += [TextFormatter().format(record) for record in caplog.records]
    seen.append(metrics)
    seen += [r.text for r in responses] + [str(r.headers) for r in responses]
    assert len(caplog.records) > 5
    for secret in secrets:
        leaks = [text for text in seen if secret in text]
        assert not leaks, f"{secret[:8]}... leaked: {leaks[0][:200]}"


def test_client_headers_never_reach_copilot(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    spoofed = {
        "Editor-Version": "evil/1",
        "X-Initiator": "agent",
        "Copilot-Integration-Id": "evil",
        "X-GitHub-Api-Version": "1999-01-01",
        "OpenAI-Intent": "evil",
    }
    assert client.post("/v1/chat/completions", json=CHAT, headers=spoofed).status_code == 200
    sent = emulator.state.seen_headers[-1]
    assert sent["editor-version"].startswith("vscode/")
    assert sent["x-initiator"] == "user"
    assert sent["copilot-integration-id"] == "vscode-chat"
    assert sent["authorization"].startswith("Bearer tid=")
    assert "evil" not in str(sent)
