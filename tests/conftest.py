from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from copilot_gateway.edge.request_id import RequestIdFilter
from servers import CopilotEmulator, gateway_app, gateway_settings, running

API_KEY = "sk-test-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests configure the gateway explicitly; nothing leaks in from the shell."""
    import os

    for name in list(os.environ):
        if name.startswith("GATEWAY_") or name in (
            "GITHUB_TOKEN",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
        ):
            monkeypatch.delenv(name, raising=False)
    # Nor does a token that a real `copilot-gateway login` stored on this machine.
    monkeypatch.setenv("GATEWAY_TOKEN_FILE", str(tmp_path / "no-stored-token"))
    # Stored responses go to the test's own directory, never the user's.
    monkeypatch.setenv("GATEWAY_RESPONSES_DB", str(tmp_path / "responses.sqlite3"))


@pytest.fixture(autouse=True)
def _request_ids_in_captured_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Captured records carry the request id, as the gateway's own log handler adds it."""
    caplog.handler.addFilter(RequestIdFilter())


@pytest.fixture
def emulator() -> CopilotEmulator:
    return CopilotEmulator()


@pytest.fixture
def emulator_url(emulator: CopilotEmulator) -> Iterator[str]:
    with running(emulator.app) as url:
        yield url


@pytest.fixture
def gateway_url(emulator_url: str) -> Iterator[str]:
    """A gateway on loopback, its copilot upstream the emulator on loopback."""
    with running(gateway_app(gateway_settings(emulator_url))) as url:
        yield url


@pytest.fixture
def client(gateway_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway_url, headers=AUTH, timeout=30) as http:
        yield http
