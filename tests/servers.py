"""Real uvicorn servers on loopback, in a background thread, for tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from copilot_gateway.app import build
from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.settings import Settings


@contextmanager
def running(app: ASGIApp) -> Iterator[str]:
    """Serve app on a free loopback port; yields its base URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="auto",
        proxy_headers=False,
        # As `serve` keeps them (uvicorn's own 5 s races a busy client reusing a connection).
        timeout_keep_alive=Settings().keep_alive_seconds,
    )
    server = uvicorn.Server(config)
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


__all__ = ["CopilotEmulator", "gateway_app", "gateway_settings", "running"]
