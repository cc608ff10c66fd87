"""Claude Code (`@anthropic-ai/claude-code` from the npm registry) pointed at the gateway
as the docs say (`agent_setups.claude_code`): `claude -p` answers through it, on the native
route and the translated one, with its own default model and its documented one.

Each run is in a network namespace with only loopback, and each asserts Claude Code looked
up no name and connected nowhere but the gateway (`agent_runs.run_agent`); its plain prompt
and tool task on its documented model are in `test_agent_clis`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from agent_runs import initiators, run_agent
from agent_setups import claude_code


def test_claude_code_answers_through_the_native_route(tmp_path: Path) -> None:
    # A dated id, as Claude Code sends one.
    seen = run_agent(claude_code("claude-sonnet-4-20250514"), "Say hi", tmp_path)
    assert "Hello from the claude-sonnet-4 emulator." in seen["stdout"]
    # The emulator may call one of Claude Code's tools first (its tool rule); then the tool's
    # result goes back as the agent's turn, and the loop ends with text.
    first, *then = seen["upstream"]
    assert "claude-code-20250219" in first["anthropic-beta"]  # its betas passed on
    assert [first["x-initiator"], *{call["x-initiator"] for call in then}] in (
        ["user"],
        ["user", "agent"],
    )


def test_claude_code_answers_through_the_translated_route(tmp_path: Path) -> None:
    seen = run_agent(claude_code("gpt-4o"), "Say hi", tmp_path)
    assert "Hello from the gpt-4o emulator." in seen["stdout"]
    first, *then = initiators(seen)
    assert [first, *set(then)] in (["user"], ["user", "agent"])


@pytest.mark.parametrize("model", ["claude-sonnet-4", "gpt-4o"])  # native, translated
def test_claude_codes_calls_are_one_agent_mode_interaction(tmp_path: Path, model: str) -> None:
    """Its session header makes one `X-Interaction-Id` of the run's calls, on either route;
    a plain `-p` run makes no subagent, compaction or background call."""
    calls = run_agent(claude_code(model), "Say hi", tmp_path)["upstream"]
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
    tmp_path: Path, model: str, served: str
) -> None:
    seen = run_agent(claude_code(model), "Say hi", tmp_path)
    assert f"Hello from the {served} emulator." in seen["stdout"]


def test_claude_code_finishes_a_task_that_calls_a_tool(tmp_path: Path) -> None:
    """The emulator calls the tool the prompt names (Read, from Claude Code's own tools) in
    a `tool_use` block; Claude Code runs it and sends its result back as the agent's turn,
    which the emulator answers in text: the loop ends."""
    seen = run_agent(claude_code("claude-sonnet-4"), "Read the file notes.txt", tmp_path)
    assert "The tool said:" in seen["stdout"]
    assert initiators(seen) == ["user", "agent"]
