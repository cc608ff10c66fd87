from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import client_requests
from copilot_gateway.observability.request_id import RequestIdFilter
from postgres_server import PostgresServer, running_postgres
from servers import CopilotEmulator, gateway_settings, running, serving

API_KEY = "sk-test-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def pytest_configure(config: pytest.Config) -> None:
    # A test waits for its answer, never for an assumed speed: httpx's default 5 s read
    # timeout fails a test on a loaded machine while the answer is on its way. Every client a
    # test makes without a timeout of its own (httpx.post, httpx.Client()) waits as a patient
    # client would; the gateway's own upstream client sets its timeouts from its settings.
    patient = inspect.signature(httpx.post).parameters["timeout"].default
    patient.connect = patient.read = patient.write = patient.pool = 120.0


def pytest_sessionfinish(session: pytest.Session) -> None:
    if client_requests.RECORDING:
        client_requests.write()  # see client_requests: the bodies the tested clients sent


def clean_environment(monkeypatch: pytest.MonkeyPatch, token_file: Path) -> None:
    """Tests configure the gateway explicitly; nothing leaks in from the shell."""
    for name in list(os.environ):
        if name.startswith("GATEWAY_") or name in (
            "GITHUB_TOKEN",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
        ):
            monkeypatch.delenv(name, raising=False)
    # Nor does a token that a real `copilot-gateway login` stored on this machine.
    monkeypatch.setenv("GATEWAY_TOKEN_FILE", str(token_file))
    # Stored responses go to the test's own directory, never the user's.
    monkeypatch.setenv("GATEWAY_RESPONSES_DB", str(token_file.parent / "responses.sqlite3"))


@pytest.fixture(scope="session", autouse=True)
def _data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The gateway's default files (its stored responses, its state database) in a directory
    of this session's, for the `serve` processes the tests start too (`commands.clean_env`
    keeps the environment but for GATEWAY_*): never the user's, which another checkout's
    migrations may have moved ahead."""
    previous = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    yield
    if previous is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = previous


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment(monkeypatch, tmp_path / "no-stored-token")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster of the test session's own (started on first use): each test
    takes a fresh database of it (`PostgresServer.new_database`)."""
    with running_postgres() as server:
        yield server


@pytest.fixture(autouse=True)
def _request_ids_in_captured_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Captured records carry the request id, as the gateway's own log handler adds it."""
    caplog.handler.addFilter(RequestIdFilter())


# One emulator and one gateway serve every test that does not ask for its own (starting
# and stopping servers per test was most of the suite's time). The emulator is reset before
# each test; a test that needs a gateway nobody else used (it counts token exchanges, say)
# is marked `own_servers`.


@pytest.fixture(scope="session")
def _shared_emulator() -> CopilotEmulator:
    return CopilotEmulator()


@pytest.fixture(scope="session")
def _shared_emulator_url(_shared_emulator: CopilotEmulator) -> Iterator[str]:
    with running(_shared_emulator.app) as url:
        yield url


@pytest.fixture(scope="session")
def _shared_gateway_url(
    _shared_emulator_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        clean_environment(monkeypatch, tmp_path_factory.mktemp("shared") / "no-stored-token")
        settings = gateway_settings(_shared_emulator_url)
    with serving(settings) as url:
        yield url


def _own_servers(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("own_servers") is not None


@pytest.fixture
def emulator(request: pytest.FixtureRequest) -> CopilotEmulator:
    """The emulator behind `emulator_url` and `gateway_url`, fresh for this test."""
    if _own_servers(request):
        return CopilotEmulator()
    shared: CopilotEmulator = request.getfixturevalue("_shared_emulator")
    shared.reset()
    return shared


@pytest.fixture
def emulator_url(request: pytest.FixtureRequest, emulator: CopilotEmulator) -> Iterator[str]:
    if not _own_servers(request):
        yield request.getfixturevalue("_shared_emulator_url")
        return
    with running(emulator.app) as url:
        yield url


@pytest.fixture
def gateway_url(request: pytest.FixtureRequest, emulator_url: str) -> Iterator[str]:
    """A gateway on loopback, its copilot upstream the emulator on loopback."""
    if not _own_servers(request):
        yield request.getfixturevalue("_shared_gateway_url")
        return
    with serving(gateway_settings(emulator_url)) as url:
        yield url


@pytest.fixture
def client(gateway_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway_url, headers=AUTH, timeout=30) as http:
        yield http
