"""Codex CLI (`@openai/codex` from the npm registry), which speaks only the Responses API,
against the gateway on its default model `gpt-5.3-codex` (served natively).

Both run inside a network namespace with only loopback (`unshare -n`, as root): Codex looks
up outside hosts otherwise, and nothing may leave this machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from npm_projects import installed

CODEX_PROJECT = Path(__file__).parent / "codex"
CONFIG = """\
model = "gpt-5.3-codex"
model_provider = "gw"
check_for_update_on_startup = false
[model_providers.gw]
name = "gateway"
base_url = "http://127.0.0.1:8080/v1"
env_key = "GW_API_KEY"
wire_api = "responses"
request_max_retries = 1
stream_max_retries = 1
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


def run_codex(codex: Path, work: Path, prompt: str) -> tuple[str, list[tuple[str, str, int]]]:
    """One `codex exec` in the namespace: its last message and the gateway's access log."""
    (work / "home").mkdir()
    (work / "home" / "config.toml").write_text(CONFIG)
    gateway = str(Path(sys.executable).parent / "copilot-gateway")
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(work),
        "GW_API_KEY": "sk-codex",
        "GATEWAY_API_KEYS": "sk-codex",
        "GATEWAY_RESPONSES_DB": str(work / "responses.sqlite3"),
        "GATEWAY_LOG_FORMAT": "json",
        "GATEWAY_TOKEN_FILE": str(work / "no-token"),
    }
    run = ["sh", str(CODEX_PROJECT / "run.sh"), gateway, str(codex), str(work), prompt]
    subprocess.run(["unshare", "-n", *run], env=env, check=True, timeout=300, capture_output=True)
    errors = (work / "codex.err").read_text()
    assert "codex exited 0" in errors, errors
    access = [
        json.loads(line)
        for line in (work / "gateway.log").read_text().splitlines()
        if line.startswith("{") and '"copilot_gateway.access"' in line
    ]
    return (work / "last.txt").read_text().strip(), [
        (a["method"], a["path"], a["status"]) for a in access
    ]


def test_codex_exec_prints_the_models_answer(codex: Path, tmp_path: Path) -> None:
    answer, access = run_codex(codex, tmp_path, "say hi")
    assert answer == "Hello from the gpt-5.3-codex emulator. You said: say hi"
    assert access == [("POST", "/v1/responses", 200)]
