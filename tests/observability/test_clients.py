"""The client's family, read off its user agent, as the ledger notes it."""

from __future__ import annotations

import pytest

from copilot_gateway.observability.clients import client_family

AGENTS = [
    ("claude-cli/2.0.14 (external, cli)", "claude-code"),
    ("codex_cli_rs/0.50.0 (Ubuntu 24.4.0; x86_64) xterm-256color", "codex"),
    ("codex_exec/0.50.0 (Linux; x86_64)", "codex"),
    ("opencode/1.0.20 ai-sdk/provider-utils/3.0.9 runtime/bun/1.3.0", "opencode"),
    ("GeminiCLI/0.9.0 (linux; x64)", "gemini-cli"),
    ("OpenAI/Python 1.109.1", "openai-python"),
    ("OpenAI/JS 5.23.2", "openai-node"),
    ("Anthropic/Python 0.69.0", "anthropic-python"),
    ("Anthropic/JS 0.65.0", "anthropic-node"),
    ("google-genai-sdk/1.41.0 gl-python/3.11.9", "google-genai"),
    ("ai-sdk/openai-compatible/1.0.19", "ai-sdk"),
    ("curl/8.5.0", "curl"),
    ("python-httpx/0.28.1", "httpx"),
    ("Mozilla/5.0 (X11; Linux x86_64)", "other"),
    ("", "none"),
    (None, "none"),
]


@pytest.mark.parametrize(("agent", "family"), AGENTS, ids=[family for _, family in AGENTS])
def test_the_family_is_read_off_the_user_agent(agent: str | None, family: str) -> None:
    assert client_family(agent) == family


def test_only_the_head_of_a_huge_user_agent_is_read() -> None:
    assert client_family("x" * 100_000 + " curl/8.5.0") == "other"
