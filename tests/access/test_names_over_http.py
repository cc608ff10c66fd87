"""The names today's SDKs and CLIs send, resolved over HTTP against the emulator's 2026
catalogue (the rule itself: `test_aliases`): Anthropic's ids and Claude's raw variants on
/v1/messages, the openai SDK's `gpt-5.4` and Codex's `gpt-5-codex` on /v1/responses,
Gemini CLI's defaults on chat. Each reaches the model named, and the answer says which."""

from __future__ import annotations

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator


def hi(model: str) -> list[dict]:
    return [{"role": "user", "content": f"Hi from {model}"}]


@pytest.mark.parametrize(
    ("sent", "served"),
    [
        ("claude-opus-4-6", "claude-opus-4.6"),  # the anthropic SDK's tests' model
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4.5"),
        ("claude-opus-4-1-20250805", "claude-opus-4.5"),  # retired: the next Opus served
        ("claude-3-5-haiku-20241022", "claude-haiku-4.5"),
        ("claude-opus-5-5", "claude-opus-5"),  # Claude Code's default: the newest served
        ("opus", "claude-opus-5"),
        ("haiku", "claude-haiku-4.5"),
        ("claude-opus-4-8-fast", "claude-opus-4.8-fast"),  # a raw variant Copilot serves
        ("claude-opus-4-8[1m]", "claude-opus-4.8-1m"),
        ("claude-opus-4-6-fast", "claude-opus-4.6"),  # one its policy disables: the base
    ],
)
def test_claude_names_reach_copilots_model_natively(
    client: httpx.Client, emulator: CopilotEmulator, sent: str, served: str
) -> None:
    body = {"model": sent, "max_tokens": 30, "messages": hi(sent)}
    answer = client.post("/v1/messages", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["model"] == served
    assert emulator.state.seen_headers[-1].get("anthropic-version")  # served on /v1/messages


@pytest.mark.parametrize(
    ("sent", "served"),
    [("gpt-5.4", "gpt-5.4"), ("gpt-5-codex", "gpt-5.2-codex"), ("gpt-5.1-codex", "gpt-5.2-codex")],
)
def test_openai_names_reach_copilots_responses_model(
    client: httpx.Client, emulator: CopilotEmulator, sent: str, served: str
) -> None:
    answer = client.post("/v1/responses", json={"model": sent, "input": "Hi"})
    assert answer.status_code == 200, answer.text
    assert emulator.state.responses_requests[-1]["model"] == served


@pytest.mark.parametrize(
    ("sent", "served"),
    [("gemini-2.5-pro", "gemini-2.5-pro"), ("gemini-2.5-flash", "gemini-3.5-flash")],
)
def test_gemini_cli_names_reach_a_served_gemini(
    client: httpx.Client, sent: str, served: str
) -> None:
    answer = client.post("/v1/chat/completions", json={"model": sent, "messages": hi(sent)})
    assert answer.status_code == 200, answer.text
    assert answer.json()["model"] == served


def test_a_name_like_nothing_served_is_404(client: httpx.Client) -> None:
    body = {"model": "mistral-large-2411", "max_tokens": 30, "messages": hi("x")}
    answer = client.post("/v1/messages", json=body)
    assert answer.status_code == 404
    assert answer.json()["error"]["type"] == "not_found_error"
