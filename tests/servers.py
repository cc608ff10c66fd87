"""Real uvicorn servers on loopback, in a background thread, for tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from copilot_gateway.app import build, uvicorn_options
from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.settings import Settings

# How `copilot-gateway emulator` serves, and any other test upstream: our logging, no access
# log; the gateway's keep-alive (uvicorn's own 5 s races a busy client reusing a connection).
PLAIN_OPTIONS: dict[str, Any] = {
    "log_config": None,
    "access_log": False,
    "timeout_keep_alive": Settings.model_fields["keep_alive_seconds"].default,
}


@contextmanager
def running(app: ASGIApp, options: dict[str, Any] | None = None) -> Iterator[str]:
    """Serve app on a free loopback port with these uvicorn options; yields its base URL."""
    chosen = {**(PLAIN_OPTIONS if options is None else options)}
    chosen.update(host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(uvicorn.Config(app, **chosen))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The gateway `copilot-gateway serve` runs with these settings, served as it serves it
    (`app.uvicorn_options`: its HTTP protocol, keep-alive, shutdown timeout), on loopback."""
    with running(gateway_app(settings), uvicorn_options(settings)) as url:
        yield url


def gateway_settings(emulator_url: str, **overrides: object) -> Settings:
    """Settings for a gateway whose copilot upstream is the emulator at emulator_url."""
    values: dict[str, object] = {
        "upstream": "copilot",
        "github_token": "gho_test_github_token",
        "github_api_url": emulator_url,
        "api_keys": "sk-test-key",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def gateway_app(settings: Settings) -> ASGIApp:
    """The app `copilot-gateway serve` would serve with these settings."""
    return build(settings).app


__all__ = ["CopilotEmulator", "gateway_app", "gateway_settings", "running", "serving"]
