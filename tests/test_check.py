"""`copilot-gateway check`, run as users run it: a real process against the emulator over
HTTP, with what it says of each step and its exit status."""

from __future__ import annotations

import subprocess

import pytest

from commands import COMMAND, clean_env
from copilot_gateway.emulator import CopilotEmulator
from servers import running

OUTDATED = (
    '{"error":{"message":"bad request: the specified API version is no longer supported. '
    'You may need to update your client to a newer version.\\n","type":"error"}}'
)


def check(emulator_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "check"],
        env=clean_env(GATEWAY_GITHUB_API_URL=emulator_url, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def own_emulator() -> CopilotEmulator:
    return CopilotEmulator()


def test_a_working_account_passes_every_step(own_emulator: CopilotEmulator) -> None:
    with running(own_emulator.app) as url:
        result = check(url, GITHUB_TOKEN="gho_check_works")
    assert result.returncode == 0, result.stdout + result.stderr
    said = result.stdout
    assert "account default: ok" in said
    assert "Copilot token issued" in said
    assert "models listed" in said and "served only on /responses:" in said
    assert "native on /v1/messages: " in said and "claude-sonnet-4" in said
    assert "gpt-5-mini answered" in said
    assert "quota premium_interactions:" in said
    assert "plan " in said
    assert "Editor-Version vscode/" in said and "X-GitHub-Api-Version 2026-" in said
    assert "gho_check_works" not in said + result.stderr


def test_the_check_call_is_the_agents_with_todays_fingerprint(
    own_emulator: CopilotEmulator,
) -> None:
    with running(own_emulator.app) as url:
        assert check(url, GITHUB_TOKEN="gho_check_works").returncode == 0
    call = [seen for seen in own_emulator.state.seen_headers if "x-initiator" in seen][-1]
    assert call["x-initiator"] == "agent"  # a check burns no premium request
    assert call["editor-version"] == "vscode/1.124.2"
    assert call["x-agent-task-id"] == call["x-request-id"]


def test_a_client_version_copilot_refuses_fails_naming_the_settings(
    own_emulator: CopilotEmulator,
) -> None:
    with running(own_emulator.app) as url:
        # The API version VS Code clients sent when Copilot began refusing them (466).
        result = check(
            url, GITHUB_TOKEN="gho_check_outdated", GATEWAY_COPILOT_API_VERSION="2025-05-01"
        )
    assert result.returncode == 1
    said = result.stdout
    assert "FAIL  catalogue   466" in said and "no longer supported" in said
    for setting in (
        "GATEWAY_COPILOT_EDITOR_VERSION",
        "GATEWAY_COPILOT_EDITOR_PLUGIN_VERSION",
        "GATEWAY_COPILOT_API_VERSION",
    ):
        assert setting in said
    assert "2025-05-01" in said  # the value in use


@pytest.mark.parametrize(
    ("window", "said"),
    [("session", "5-hour session window is spent"), ("weekly", "weekly window is spent")],
)
def test_a_spent_window_fails_saying_when_it_resets(
    own_emulator: CopilotEmulator, window: str, said: str
) -> None:
    own_emulator.put_near_limit("gho_check_spent", window, credits_left=0)
    with running(own_emulator.app) as url:
        result = check(url, GITHUB_TOKEN="gho_check_spent")
    assert result.returncode == 1
    assert "FAIL  call" in result.stdout and said in result.stdout
    assert "It resets in " in result.stdout and " UTC)" in result.stdout


def test_spent_credits_are_said_while_free_models_still_answer(
    own_emulator: CopilotEmulator,
) -> None:
    own_emulator.put_near_limit("gho_check_broke", "credits", credits_left=0)
    with running(own_emulator.app) as url:
        result = check(url, GITHUB_TOKEN="gho_check_broke")
    assert result.returncode == 0, result.stdout  # the free call is served
    words = " ".join(result.stdout.split())  # long findings go on over lines
    assert (
        "premium_interactions: 0 % left (spent: only free models answer until the reset)" in words
    )


@pytest.mark.parametrize(
    ("token", "said"),
    [
        ("gho_revoked", "invalid or revoked"),
        ("gho_no_copilot", "no Copilot access"),
    ],
)
def test_a_token_github_will_not_exchange_says_to_log_in(
    own_emulator: CopilotEmulator, token: str, said: str
) -> None:
    with running(own_emulator.app) as url:
        result = check(url, GITHUB_TOKEN=token)
    assert result.returncode == 1
    assert "FAIL  token" in result.stdout and said in result.stdout
    assert "copilot-gateway login" in result.stdout


def test_no_account_at_all_says_to_log_in(own_emulator: CopilotEmulator) -> None:
    with running(own_emulator.app) as url:
        result = check(url)
    assert result.returncode == 1
    assert "copilot-gateway login" in result.stderr
