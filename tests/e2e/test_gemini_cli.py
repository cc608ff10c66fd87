"""Gemini CLI (`@google/gemini-cli` from the npm registry, pinned by its folder's lock)
pointed at the gateway as the docs say (`agent_setups.gemini_cli`): `gemini -p` answers
through the Gemini surface, and a task that calls one of its tools sends the tool's result
back and ends in text.

Each run is in a network namespace with only loopback, and each asserts Gemini CLI looked
up no name and connected nowhere but the gateway (`agent_runs.run_agent`).
"""

from __future__ import annotations

from pathlib import Path

from agent_runs import initiators, run_agent
from agent_setups import gemini_cli


def test_gemini_cli_answers_a_plain_prompt(tmp_path: Path) -> None:
    seen = run_agent(gemini_cli(), "Say hi", tmp_path)
    assert "Hello from the gemini-2.5-pro emulator." in seen["stdout"]
    assert initiators(seen)[0] == "user"


def test_gemini_cli_runs_a_tool_and_sends_its_result_back(tmp_path: Path) -> None:
    # The emulator calls the tool whose words best match the prompt (its tool rule); the
    # tool's result goes back as a functionResponse, the agent's turn, and the loop ends
    # with the emulator quoting it.
    seen = run_agent(gemini_cli(), "Update the todo list", tmp_path)
    assert "The tool said:" in seen["stdout"]
    assert initiators(seen)[:2] == ["user", "agent"]
