"""Codex CLI (`@openai/codex` from the npm registry), which speaks only the Responses API,
against `copilot-gateway serve` (its built-in emulator) on its default model
`gpt-5.3-codex` (served natively): with the provider the docs show
(`agent_setups.codex`), and with the built-in one pointed at the gateway through a session
long enough to compact (its remote compaction, which the gateway serves).

Each runs inside a network namespace with only loopback whose resolver is a DNS stub
(`outside_traffic`), and asserts Codex looked up no name and connected nowhere but the
gateway; its plain prompt and tool task are also in `test_agent_clis`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from agent_session import isolated
from agent_setups import KEY
from agent_setups import codex as codex_setup
from npm_projects import installed

HERE = Path(__file__).parent
CODEX_PROJECT = HERE / "codex"
SETUP = codex_setup()
(CONFIG,) = SETUP.files.values()


# The built-in provider at the gateway: remote compaction, over the Responses WebSocket (which
# the gateway serves). A token limit this low compacts before the second turn.
BUILT_IN_CONFIG = """\
model = "gpt-5.3-codex"
openai_base_url = "http://127.0.0.1:8080/v1"
model_auto_compact_token_limit = 300
check_for_update_on_startup = false
[features]
plugins = false
[analytics]
enabled = false
"""


@pytest.fixture(scope="session")
def codex() -> Path:
    """Codex CLI, installed once (cached in tests/e2e/codex/node_modules)."""
    installed(CODEX_PROJECT, timeout=900)
    return CODEX_PROJECT / "node_modules" / ".bin" / "codex"


def run_codex(
    codex: Path,
    tmp_path: Path,
    config: str,
    *mode: str,
    prompt: str = "say hi",
    **settings: str,
) -> None:
    """Codex (and the gateway it talks to) in the namespace; `settings` add to their
    environment. Fails if it tried to reach anything outside."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "config.toml").write_text(config)
    gateway = str(Path(sys.executable).parent / "copilot-gateway")
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(tmp_path),
        **SETUP.env,
        "GATEWAY_API_KEYS": KEY,
        "GATEWAY_RESPONSES_DB": str(tmp_path / "responses.sqlite3"),
        "GATEWAY_LOG_FORMAT": "json",
        "GATEWAY_TOKEN_FILE": str(tmp_path / "no-token"),
        "CODEX_PROMPT": prompt,
        # The gateway of this checkout, where the suite runs from its sources.
        **{name: os.environ[name] for name in ("PYTHONPATH",) if name in os.environ},
        **settings,
    }
    command = ["sh", str(CODEX_PROJECT / "run.sh"), gateway, str(codex), str(tmp_path), *mode]
    report = tmp_path / "outside.json"
    watching = [sys.executable, str(HERE / "outside_traffic.py"), str(report)]
    isolation = isolated(tmp_path / "resolv.conf")
    subprocess.run(
        [*isolation, *watching, *command], env=env, check=True, timeout=600, capture_output=True
    )
    tried = json.loads(report.read_text())
    assert tried == {"lookups": [], "connections": []}, f"Codex tried to reach {tried}"


def accesses(tmp_path: Path) -> list[tuple[str, str, int]]:
    lines = (tmp_path / "gateway.log").read_text().splitlines()
    logged = [
        json.loads(line)
        for line in lines
        if line.startswith("{") and '"copilot_gateway.access"' in line
    ]
    return [(a["method"], a["path"], a["status"]) for a in logged]


def test_codex_exec_prints_the_models_answer(codex: Path, tmp_path: Path) -> None:
    run_codex(codex, tmp_path, CONFIG)
    errors = (tmp_path / "codex.err").read_text()
    assert "codex exited 0" in errors, errors
    answer = (tmp_path / "last.txt").read_text().strip()
    assert answer == "Hello from the gpt-5.3-codex emulator. You said: say hi"
    assert accesses(tmp_path) == [("POST", "/v1/responses", 200)]


def test_codex_runs_the_tool_the_model_calls_and_finishes(codex: Path, tmp_path: Path) -> None:
    """The emulator calls Codex's shell tool; Codex runs it and sends the output back (its
    reasoning item with `content: null`, as Codex sends it), and the model answers in text."""
    run_codex(codex, tmp_path, CONFIG, prompt="Run a shell command to list the files")
    errors = (tmp_path / "codex.err").read_text()
    assert "codex exited 0" in errors, errors
    assert "The tool said:" in (tmp_path / "last.txt").read_text()
    assert accesses(tmp_path) == [("POST", "/v1/responses", 200)] * 2


def test_codex_compacts_a_long_session_through_the_gateway(codex: Path, tmp_path: Path) -> None:
    run_codex(codex, tmp_path, BUILT_IN_CONFIG, "resume")
    for name in ("codex.err", "codex2.err"):
        errors = (tmp_path / name).read_text()
        assert "codex exited 0" in errors, errors
    assert (tmp_path / "last2.txt").read_text().strip().endswith("You said: say more")
    # Over the WebSocket, each turn logged as the upgrade's GET: each `exec` connects with a
    # warm-up; then the first turn, and the compaction (its trigger inline) and the second.
    assert accesses(tmp_path) == [("GET", "/v1/responses", 200)] * 5
    (rollout,) = (tmp_path / "home" / "sessions").rglob("*.jsonl")
    records = [json.loads(line) for line in rollout.read_text().splitlines()]
    compacted = [r for r in records if r.get("type") == "compacted"]
    assert compacted and "copilot-gateway.compaction.v1:" in json.dumps(compacted)
