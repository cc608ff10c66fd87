"""Real uvicorn servers on loopback, in a background thread, for tests; and a gate that
holds an upstream's streams open until the test lets them end."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import client_requests
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
def running(app: ASGIApp, options: dict[str, Any] | None = None, port: int = 0) -> Iterator[str]:
    """Serve app on a loopback port (a free one unless given) with these uvicorn options;
    yields its base URL."""
    chosen = {**(PLAIN_OPTIONS if options is None else options)}
    chosen.update(host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(uvicorn.Config(app, **chosen))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a loaded 2-core machine starts slowly
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    thread.name = f"server on port {bound}"  # found by tests that measure its CPU
    try:
        yield f"http://127.0.0.1:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The gateway `copilot-gateway serve` runs with these settings, served as it serves it
    (`app.uvicorn_options`: its HTTP protocol, keep-alive, shutdown timeout), on loopback."""
    app = gateway_app(settings)
    if client_requests.RECORDING:
        app = client_requests.recording(app)
    with running(app, uvicorn_options(settings)) as url:
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


def accounts(tmp_path: Path, **tokens: str) -> list[dict[str, str]]:
    """`[[accounts]]` entries, each token in a file of its own."""
    entries = []
    for name, token in tokens.items():
        path = tmp_path / f"{name}.token"
        path.write_text(token + "\n")
        entries.append({"name": name, "token_file": str(path)})
    return entries


def gateway_app(settings: Settings) -> ASGIApp:
    """The app `copilot-gateway serve` would serve with these settings."""
    return build(settings).app


def until(condition: Callable[[], object], within: float = 60, every: float = 0.02) -> bool:
    """Whether `condition` comes true within `within` seconds, checked every `every`: for a
    state the system reaches on its own time (a slot freed, a stream closed). The bound is
    generous: a loaded machine may take its time, a broken one never gets there."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


class StreamGate:
    """Wraps an upstream's app (the emulator's): each response body chunk holding `before`
    waits at the gate until the test opens it. A stream the test needs open (a slot held, a
    reservation not yet settled, a client leaving mid-stream) is then open for certain, on
    however loaded a machine, and ends only when the test says so or its client leaves.

    The gate is opened from the test's thread; the held streams wait in the server's loop.
    """

    def __init__(self, app: ASGIApp, before: bytes = b"[DONE]") -> None:
        self.app = app
        self.before = before
        self._lock = threading.Condition()
        self._opened = False
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self.reached = 0  # streams that came to the gate, held or let go since
        self.left = 0  # held streams whose client (the gateway) let go of them

    @property
    def held(self) -> int:
        """Streams waiting at the gate now (one whose client left is let go: not counted)."""
        with self._lock:
            return len(self._waiting)

    def wait_until_held(self, count: int = 1, within: float = 60) -> None:
        """Block until `count` streams wait at the gate (a generous bound: a signal, not a
        guess at how long the machine takes)."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._waiting) >= count, timeout=within):
                raise AssertionError(
                    f"{count} stream(s) never held at the gate ({self.reached} reached it, "
                    f"{self.left} of them let go by their client before)"
                )

    def open(self) -> None:
        """Let every held stream, and every later one, go on."""
        with self._lock:
            self._opened = True
            waiting, self._waiting = self._waiting, []
            self._lock.notify_all()
        for loop, event in waiting:
            loop.call_soon_threadsafe(event.set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_past_the_gate(message: Message) -> None:
            if message["type"] == "http.response.body" and self.before in message.get("body", b""):
                await self._pass()
            await send(message)

        await self.app(scope, receive, send_past_the_gate if scope["type"] == "http" else send)

    async def _pass(self) -> None:
        passing = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            if self._opened:
                return
            self._waiting.append(passing)
            self.reached += 1
            self._lock.notify_all()
        try:
            await passing[1].wait()
        except asyncio.CancelledError:  # the server saw the stream's client leave
            with self._lock:
                self.left += 1
            raise
        finally:
            with self._lock:
                if passing in self._waiting:
                    self._waiting.remove(passing)
                self._lock.notify_all()


@contextmanager
def gated(app: ASGIApp, before: bytes = b"[DONE]") -> Iterator[tuple[str, StreamGate]]:
    """Serve app behind a closed `StreamGate`; yields (base URL, gate). The gate opens as the
    block ends, so the server can stop."""
    gate = StreamGate(app, before)
    with running(gate) as url:
        try:
            yield url, gate
        finally:
            gate.open()


__all__ = [
    "CopilotEmulator",
    "StreamGate",
    "gated",
    "gateway_app",
    "gateway_settings",
    "running",
    "serving",
    "until",
]
