"""The coding agents people point at Copilot, each installed from the npm registry and run
as its users run it, configured as the docs say (`agent_setups`): a plain prompt and a task
that calls a tool, on every surface it can use.

Each run is in a network namespace with only loopback (`agent_session.py`): the gateway,
its emulator and the CLI, with a DNS stub as the only resolver. Each test asserts the CLI
looked up no name and connected nowhere but the gateway (`agent_runs.run_agent`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from agent_runs import initiators, run_agent, surface_calls
from agent_setups import SETUPS, Setup

# The emulator says exactly the one word a prompt asks for.
PLAIN = "Reply with gateway-pong. Thanks."
# Words of a file-reading tool, so the emulator calls one; after its result, the word.
TASK = "Read the file notes.txt, then reply with done-reading. Nothing else."


def named(setup: Setup) -> str:
    return f"{setup.cli}-{setup.surface}"


@pytest.mark.parametrize("setup", SETUPS, ids=named)
def test_the_agent_answers_a_plain_prompt(setup: Setup, tmp_path: Path) -> None:
    seen = run_agent(setup, PLAIN, tmp_path)
    assert "gateway-pong" in seen["stdout"], seen["stdout"][-2000:]
    assert surface_calls(setup, seen), seen["requests"]
    assert "user" in initiators(seen)


@pytest.mark.parametrize("setup", SETUPS, ids=named)
def test_the_agent_calls_a_tool_and_finishes(setup: Setup, tmp_path: Path) -> None:
    seen = run_agent(setup, TASK, tmp_path)
    assert "done-reading" in seen["stdout"], seen["stdout"][-2000:]
    assert len(surface_calls(setup, seen)) >= 2, seen["requests"]
    # The person's turn, then the tool's result sent back as the agent's turn.
    turns = initiators(seen)
    assert "user" in turns and "agent" in turns[turns.index("user") :], turns
