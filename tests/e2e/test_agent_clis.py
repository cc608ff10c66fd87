"""The coding agents people point at Copilot, each installed from the npm registry (its
folder's package-lock) and run as its users run it, configured as the README says
(`agent_setups`): a plain prompt and a task that calls a tool, on every surface it can use.

Each run is in a network namespace with only loopback (`agent_session.py`): the gateway,
its emulator and the CLI, with a DNS stub as the only resolver. Each test asserts the CLI
looked up no name and connected nowhere but the gateway.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from agent_session import isolated
from agent_setups import SETUPS, SURFACE_PATHS, Setup
from npm_projects import installed

HERE = Path(__file__).parent
# The emulator says exactly the one word a prompt asks for.
PLAIN = "Reply with gateway-pong. Thanks."
# Words of a file-reading tool, so the emulator calls one; after its result, the word.
TASK = "Read the file notes.txt, then reply with done-reading. Nothing else."


def run_agent(setup: Setup, prompt: str, tmp_path: Path) -> dict:
    """One run of the CLI on this setup; what it printed and what the gateway and the
    namespace saw. Fails unless the CLI exited 0 and tried to reach nothing outside."""
    project = HERE / setup.project
    installed(project)
    binary = project / "node_modules" / ".bin" / setup.command[0]
    run = {
        "argv": [str(binary), *setup.argv(prompt)[1:]],
        "env": setup.env,
        "files": {**setup.files, "notes.txt": "The notes say hello.\n"},
        "before": [[str(binary), *command[1:]] for command in setup.before],
        "timeout": 240,
    }
    (tmp_path / "run.json").write_text(json.dumps(run))
    session = [sys.executable, str(HERE / "agent_session.py"), str(tmp_path / "run.json")]
    result = subprocess.run(
        [*isolated(tmp_path / "resolv.conf"), *session],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen: dict = json.loads(result.stdout)
    assert seen["rc"] == 0, (seen["stdout"][-2000:], seen["stderr"][-3000:])
    assert seen["lookups"] == [], f"{setup.cli} looked up {sorted(set(seen['lookups']))}"
    assert seen["connections"] == [], f"{setup.cli} connected to loopback {seen['connections']}"
    return seen


def surface_calls(setup: Setup, seen: dict) -> list[int]:
    """The statuses of the CLI's calls to its surface; every call it made was answered."""
    assert all(request.get("status", 0) < 400 for request in seen["requests"]), seen["requests"]
    return [r["status"] for r in seen["requests"] if r["path"] == SURFACE_PATHS[setup.surface]]


def named(setup: Setup) -> str:
    return f"{setup.cli}-{setup.surface}"


@pytest.mark.parametrize("setup", SETUPS, ids=named)
def test_the_agent_answers_a_plain_prompt(setup: Setup, tmp_path: Path) -> None:
    seen = run_agent(setup, PLAIN, tmp_path)
    assert "gateway-pong" in seen["stdout"], seen["stdout"][-2000:]
    assert surface_calls(setup, seen), seen["requests"]
    assert "user" in seen["initiators"]


@pytest.mark.parametrize("setup", SETUPS, ids=named)
def test_the_agent_calls_a_tool_and_finishes(setup: Setup, tmp_path: Path) -> None:
    seen = run_agent(setup, TASK, tmp_path)
    assert "done-reading" in seen["stdout"], seen["stdout"][-2000:]
    assert len(surface_calls(setup, seen)) >= 2, seen["requests"]
    # The person's turn, then the tool's result sent back as the agent's turn.
    turns = seen["initiators"]
    assert "user" in turns and "agent" in turns[turns.index("user") :], turns
