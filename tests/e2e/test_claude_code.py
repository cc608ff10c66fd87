"""Claude Code (`@anthropic-ai/claude-code` from the npm registry) pointed at the gateway:
`claude -p` answers through it, on the native route and the translated one.

Nothing may leave this machine: the gateway, its emulator and Claude Code run together in
a network namespace with only loopback (`unshare -n`, as root), and with every setting that
turns Claude Code's outside traffic off (see agent-clis.md in the shared references).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from npm_projects import installed

PROJECT = Path(__file__).parent / "claude_code"
LOOPBACK_ONLY = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


@pytest.fixture(scope="session")
def claude() -> Path:
    installed(PROJECT)
    return PROJECT / "node_modules" / ".bin" / "claude"


def isolated() -> list[str]:
    """The namespace prefix; without it (not root) only Claude Code's settings keep it home."""
    works = subprocess.run([*LOOPBACK_ONLY, "true"], capture_output=True, check=False)
    return LOOPBACK_ONLY if works.returncode == 0 else []


def run_claude(claude: Path, model: str, prompt: str = "Say hi") -> dict:
    """One `claude -p` run (an empty model: Claude Code's own default)."""
    session = [sys.executable, str(PROJECT / "session.py"), str(claude), model, prompt]
    result = subprocess.run(
        [*isolated(), *session], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen: dict = json.loads(result.stdout)
    assert seen["rc"] == 0, seen["stderr"][-3000:]
    return seen


def test_claude_code_answers_through_the_native_route(claude: Path) -> None:
    seen = run_claude(claude, "claude-sonnet-4-20250514")  # a dated id, as Claude Code sends
    assert "Hello from the claude-sonnet-4 emulator." in seen["stdout"]
    # The emulator may call one of Claude Code's tools first (its tool rule); then the tool's
    # result goes back as the agent's turn, and the loop ends with text.
    first, *then = seen["upstream"]
    assert "claude-code-20250219" in first["anthropic-beta"]  # its betas passed on
    assert [first["x-initiator"], *{call["x-initiator"] for call in then}] in (
        ["user"],
        ["user", "agent"],
    )


def test_claude_code_answers_through_the_translated_route(claude: Path) -> None:
    seen = run_claude(claude, "gpt-4o")
    assert "Hello from the gpt-4o emulator." in seen["stdout"]
    first, *then = [call["x-initiator"] for call in seen["upstream"]]
    assert [first, *set(then)] in (["user"], ["user", "agent"])


@pytest.mark.parametrize("model", ["claude-sonnet-4", "gpt-4o"])  # native, translated
def test_claude_codes_calls_are_one_agent_mode_interaction(claude: Path, model: str) -> None:
    """Its session header makes one `X-Interaction-Id` of the run's calls, on either route;
    a plain `-p` run makes no subagent, compaction or background call."""
    calls = run_claude(claude, model)["upstream"]
    assert {call["x-interaction-type"] for call in calls} == {"conversation-agent"}
    assert len({call["x-interaction-id"] for call in calls}) == 1


@pytest.mark.parametrize(
    ("model", "served"),
    [
        ("", "claude-opus-5"),  # its own default, claude-opus-5-5, to the nearest served
        ("claude-sonnet-4-5", "claude-sonnet-4.5"),  # its documented id, dashed
    ],
)
def test_claude_codes_default_and_documented_models_resolve(
    claude: Path, model: str, served: str
) -> None:
    seen = run_claude(claude, model)
    assert f"Hello from the {served} emulator." in seen["stdout"]


def test_claude_code_finishes_a_task_that_calls_a_tool(claude: Path) -> None:
    """The emulator calls the tool the prompt names (Read, from Claude Code's own tools) in
    a `tool_use` block; Claude Code runs it and sends its result back as the agent's turn,
    which the emulator answers in text: the loop ends."""
    seen = run_claude(claude, "claude-sonnet-4", "Read the file notes.txt")
    assert "The tool said:" in seen["stdout"]
    assert [call["x-initiator"] for call in seen["upstream"]] == ["user", "agent"]
