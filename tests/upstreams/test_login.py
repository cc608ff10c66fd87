"""`copilot-gateway login` against the emulator's device flow, over real HTTP."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from copilot_gateway import cli
from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.settings import Settings
from copilot_gateway.upstream_from_settings import build_upstream
from copilot_gateway.upstreams.copilot.accounts import load_accounts
from copilot_gateway.upstreams.copilot.login import (
    LoginFailed,
    device_login,
    store_token,
)
from copilot_gateway.upstreams.copilot.session import personal_access_token_problem
from test_cli import clean_env, free_port, started


def login_settings(emulator_url: str, tmp_path: Path) -> Settings:
    return Settings(github_url=emulator_url, token_file=tmp_path / "token")  # type: ignore[call-arg]


def test_device_flow_waits_for_approval_and_returns_a_token(
    emulator_url: str, tmp_path: Path
) -> None:
    said: list[str] = []
    waits: list[float] = []
    token = device_login(login_settings(emulator_url, tmp_path), said.append, waits.append)
    assert token.startswith("gho_")
    assert "enter the code EMUL-" in said[0] and "/login/device" in said[0]
    assert any("still waiting" in line for line in said)
    # authorization_pending, then slow_down (5 s more), then the token
    assert waits == [0, 0, 5]


@pytest.mark.parametrize(
    ("answer", "says"), [("expired_token", "expired"), ("access_denied", "declined")]
)
def test_device_flow_failures_say_why(
    emulator: CopilotEmulator, emulator_url: str, tmp_path: Path, answer: str, says: str
) -> None:
    emulator.config.device_polls = ["authorization_pending", answer]
    with pytest.raises(LoginFailed, match=says):
        device_login(login_settings(emulator_url, tmp_path), lambda _: None, lambda _: None)


def test_token_is_stored_for_this_user_only(tmp_path: Path) -> None:
    path = tmp_path / "config" / "github_token"
    store_token(path, "gho_first")
    path.chmod(0o644)
    store_token(path, "gho_second")
    assert path.read_text() == "gho_second\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_stored_token_is_used_and_github_token_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "github_token"
    store_token(path, "gho_stored")
    monkeypatch.setenv("GATEWAY_TOKEN_FILE", str(path))
    assert Settings().github_token.get_secret_value() == "gho_stored"  # type: ignore[union-attr]
    assert Settings().upstream_kind == "copilot"
    monkeypatch.setenv("GITHUB_TOKEN", "gho_environment")
    assert Settings().github_token.get_secret_value() == "gho_environment"  # type: ignore[union-attr]


@pytest.mark.parametrize("token", ["ghp_abc", "github_pat_abc"])
def test_personal_access_tokens_are_refused_with_the_reason(token: str) -> None:
    assert "personal access token" in (personal_access_token_problem(token) or "")
    with pytest.raises(ValueError, match="copilot-gateway login"):
        build_upstream(Settings(github_token=token))  # type: ignore[call-arg]


def test_login_command_then_serve_on_the_stored_token(emulator_url: str, tmp_path: Path) -> None:
    token_file = tmp_path / "github_token"
    env = clean_env(GATEWAY_GITHUB_URL=emulator_url, GATEWAY_TOKEN_FILE=str(token_file))
    result = subprocess.run(
        [sys.executable, "-m", "copilot_gateway", "login"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "enter the code" in result.stdout and str(token_file) in result.stdout
    token = token_file.read_text().strip()
    assert token not in result.stdout

    port = free_port()
    env = {**env, "GATEWAY_GITHUB_API_URL": emulator_url}
    with started(
        ["serve", "--port", str(port)], env, f"http://127.0.0.1:{port}/healthz"
    ) as process:
        models = httpx.get(f"http://127.0.0.1:{port}/v1/models").json()["data"]
        assert models
    assert "GitHub Copilot" in (process.stdout.read() if process.stdout else "")


def test_login_with_an_account_name_adds_that_account(
    emulator: CopilotEmulator,
    emulator_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.config.device_polls = []  # approved at once
    monkeypatch.setenv("GATEWAY_GITHUB_URL", emulator_url)
    monkeypatch.setenv("GATEWAY_ACCOUNTS_DIR", str(tmp_path / "accounts"))
    assert cli.parser().parse_args(["login", "--account", "team-b"]).account == "team-b"
    assert cli.login(Settings(), "team-b") == 0
    stored = tmp_path / "accounts" / "team-b"
    assert stored.read_text().startswith("gho_") and stored.stat().st_mode & 0o777 == 0o600
    assert "team-b" in capsys.readouterr().out
    accounts = load_accounts(Settings())
    assert [account.name for account in accounts] == ["team-b"]
    assert cli.login(Settings(), "../escape") == 2
