"""One agent CLI run from a test: installed from the npm registry (its folder's
package-lock), run on its setup (`agent_setups`) by `agent_session.py` in a network
namespace with only loopback, and checked to have tried nothing outside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agent_session import isolated
from agent_setups import SURFACE_PATHS, Setup
from npm_projects import installed

HERE = Path(__file__).parent


def run_agent(setup: Setup, prompt: str, tmp_path: Path) -> dict:
    """One run of the CLI on this setup; what it printed, and what the gateway, Copilot and
    the namespace saw. Fails unless the CLI exited 0 and
    tried to reach nothing outside."""
    project = HERE / setup.project
    installed(project, timeout=900)
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


def initiators(seen: dict) -> list[str]:
    """Who each call Copilot got came from: the person ("user") or a tool's result ("agent")."""
    return [call["x-initiator"] for call in seen["upstream"]]


def surface_calls(setup: Setup, seen: dict) -> list[int]:
    """The statuses of the CLI's calls to its surface; every call it made was answered."""
    assert all(request.get("status", 0) < 400 for request in seen["requests"]), seen["requests"]
    path = SURFACE_PATHS[setup.surface]
    return [r["status"] for r in seen["requests"] if r["path"].startswith(path)]
