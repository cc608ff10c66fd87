"""Gemini CLI (`@google/gemini-cli` from the npm registry, pinned by its folder's lock)
pointed at the gateway: `gemini -p` answers through the Gemini surface, and a task that
calls one of its tools sends the tool's result back and ends in text.

Nothing may leave this machine: the gateway, its emulator and Gemini CLI run together in a
network namespace with only loopback (`unshare -n`, as root), Gemini CLI with its telemetry,
usage statistics and update checks off (see its folder's `session.py`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from npm_projects import installed
from test_claude_code import isolated

PROJECT = Path(__file__).parent / "gemini_cli"
DEFAULT_REACHES = "gemini-3.1-pro-preview"


@pytest.fixture(scope="session")
def gemini() -> Path:
    installed(PROJECT)
    return PROJECT / "node_modules" / ".bin" / "gemini"


def run_gemini(gemini: Path, model: str, prompt: str, how: str = "-m") -> dict:
    """A run with `-m model` (or `GEMINI_MODEL`, `how="env"`; no model: Gemini CLI's default)."""
    session = [sys.executable, str(PROJECT / "session.py"), str(gemini.resolve()), model, prompt]
    session += ["env"] if how == "env" else []
    result = subprocess.run(
        [*isolated(), *session], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen: dict = json.loads(result.stdout)
    assert seen["rc"] == 0, seen["stderr"][-3000:]
    return seen


def test_gemini_cli_answers_a_plain_prompt(gemini: Path) -> None:
    seen = run_gemini(gemini, "gemini-2.5-pro", "Say hi")
    assert "Hello from the gemini-2.5-pro emulator." in seen["stdout"]
    assert seen["upstream"][0]["x-initiator"] == "user"


def test_gemini_cli_runs_a_tool_and_sends_its_result_back(gemini: Path) -> None:
    # The emulator calls the tool whose words best match the prompt (its tool rule); the
    # tool's result goes back as a functionResponse, the agent's turn, and the loop ends
    # with the emulator quoting it.
    seen = run_gemini(gemini, "gemini-2.5-pro", "Update the todo list")
    assert "The tool said:" in seen["stdout"]
    assert [call["x-initiator"] for call in seen["upstream"]][:2] == ["user", "agent"]


def test_gemini_clis_default_model_reaches_the_copilot_model_it_names(gemini: Path) -> None:
    # No `-m`: Gemini CLI's default for an API key (`auto`, its Gemini 3 Pro preview), which
    # Copilot does not serve: the nearest Gemini Pro it does (see `access.aliases`).
    seen = run_gemini(gemini, "", "Say hi")
    assert seen["models"] and set(seen["models"]) == {DEFAULT_REACHES}
    assert f"Hello from the {DEFAULT_REACHES} emulator." in seen["stdout"]


@pytest.mark.parametrize("how", ["-m", "env"])
@pytest.mark.parametrize(
    ("asked", "reaches"),
    [("gemini-3.1-pro-preview-customtools", "gemini-3.1-pro-preview"), ("claude-sonnet-4.5",) * 2],
)
def test_an_explicit_model_reaches_the_copilot_model_it_names(
    gemini: Path, how: str, asked: str, reaches: str
) -> None:
    seen = run_gemini(gemini, asked, "Say hi", how)
    assert seen["models"] and set(seen["models"]) == {reaches}
    assert f"Hello from the {reaches} emulator." in seen["stdout"]
