"""Codex CLI over a WebSocket: a provider with `supports_websockets = true`, or the built-in
one pointed at the gateway, serves its turns over `GET /v1/responses` upgraded; with
WebSockets turned off on the gateway, the upgrade is answered 426 and Codex falls back to
HTTP (see `test_codex_cli` for how Codex is run)."""

from __future__ import annotations

from pathlib import Path

from agent_setups import KEY
from test_codex_cli import CONFIG, accesses, codex  # noqa: F401 (the fixture)
from test_codex_cli import run_codex as run

WEBSOCKET_CONFIG = CONFIG.replace(
    'wire_api = "responses"\n', 'wire_api = "responses"\nsupports_websockets = true\n'
)
ANSWER = "Hello from the gpt-5.3-codex emulator. You said: say hi"


def run_codex(
    binary: Path, tmp_path: Path, config: str = WEBSOCKET_CONFIG, **settings: str
) -> list[tuple[str, str, int]]:
    """One `codex exec "say hi"` against the gateway: its answer checked, and the
    gateway's access lines (method, path, status) returned."""
    run(binary, tmp_path, config, **settings)
    errors = (tmp_path / "codex.err").read_text()
    assert "codex exited 0" in errors, errors
    assert (tmp_path / "last.txt").read_text().strip() == ANSWER
    return accesses(tmp_path)


def test_codex_runs_its_turn_over_the_websocket(codex: Path, tmp_path: Path) -> None:  # noqa: F811
    # Its warm-up (`generate: false`, answered by the gateway), then its turn.
    assert run_codex(codex, tmp_path) == [("GET", "/v1/responses", 200)] * 2


def test_codex_falls_back_to_http_on_426(codex: Path, tmp_path: Path) -> None:  # noqa: F811
    access = run_codex(codex, tmp_path, GATEWAY_WEBSOCKETS="false")
    assert access == [("POST", "/v1/responses", 200)]
    # At once: one upgrade tried, no retries spent on it.
    refused = (
        (tmp_path / "gateway.log").read_text().count("websocket refused at the handshake: 426")
    )
    assert refused == 1


BUILT_IN_CONFIG = """\
model = "gpt-5.3-codex"
openai_base_url = "http://127.0.0.1:8080/v1"
check_for_update_on_startup = false
[features]
plugins = false
[analytics]
enabled = false
"""


# The built-in `openai` provider, pointed at the gateway by `openai_base_url`: WebSockets first.
def test_codex_built_in_provider_at_the_gateway_uses_the_websocket(
    codex: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    access = run_codex(
        codex,
        tmp_path,
        BUILT_IN_CONFIG,
        OPENAI_API_KEY=KEY,
        CODEX_API_KEY=KEY,
    )
    assert access == [("GET", "/v1/responses", 200)] * 2
