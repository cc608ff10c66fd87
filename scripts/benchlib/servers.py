"""The bench's servers: what each one runs, and starting and stopping them together.

Every server is a separate process on a free loopback port (`--port N` is appended to its
command). The bench's own servers (the stub, the floor, the feature variants) are modules of
this package run with `-m`, by any interpreter: the A/B mode runs the floor and the gateway of
another revision with that revision's Python, and this package from the working tree.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .scratch import subdirectory

SCRIPTS = Path(__file__).resolve().parent.parent  # holds this package
KEY = "sk-bench"
ADMIN_TOKEN = "bench-admin-token"  # the dashboard's, where a gateway serves it
START_SECONDS = 180  # a dozen gateways start at once on a busy machine


@dataclass(frozen=True)
class ServerSpec:
    command: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(
    port: int, child: subprocess.Popen[bytes], name: str, command: Sequence[str]
) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if child.poll() is not None:
            # Its output went to /dev/null (a log written to a file would cost the figures).
            raise RuntimeError(
                f"{name}: the server exited ({child.returncode}); "
                f"run it to see why: {' '.join(command)}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)  # polling a port that is not open yet: nothing to wait on
    raise RuntimeError(f"{name} did not start in {START_SECONDS} s")


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The bench's environment without its PYTHONPATH (a gateway imports only what it
    installed), plus the server's own variables."""
    inherited = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return {**inherited, **extra}


@contextmanager
def servers(specs: Mapping[str, ServerSpec]) -> Iterator[dict[str, Server]]:
    """Start several servers at once (start-up is CPU-heavy: none starts mid-measurement),
    wait until every one listens, and stop them all on the way out."""
    started: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        for name, spec in specs.items():
            port = free_port()
            child = subprocess.Popen(
                [*spec.command, "--port", str(port)],
                env=child_env(spec.env),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started[name] = (child, port)
        for name, (child, port) in started.items():
            wait_until_up(port, child, name, [*specs[name].command, "--port", str(port)])
        yield {
            name: Server(name, f"http://127.0.0.1:{port}", child.pid)
            for name, (child, port) in started.items()
        }
    finally:
        for child, _ in started.values():
            child.terminate()
        for child, _ in started.values():
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


# What each server runs ----------------------------------------------------------------------


def bench_module(module: str, *arguments: str, python: str = sys.executable) -> ServerSpec:
    """One of this package's servers, run by `python` with this package importable."""
    return ServerSpec(
        (python, "-m", f"benchlib.{module}", *arguments), {"PYTHONPATH": str(SCRIPTS)}
    )


def stub(chunks: int = 10, interval_ms: float = 0) -> ServerSpec:
    return bench_module("stub", "--chunks", str(chunks), "--interval-ms", str(interval_ms))


def floor(upstream: str, python: str = sys.executable) -> ServerSpec:
    return bench_module("floor", "--upstream", upstream, python=python)


def gateway_env(upstream: str, name: str, **extra: str) -> dict[str, str]:
    return {
        "GATEWAY_UPSTREAM": "openai",
        "GATEWAY_UPSTREAM_URL": upstream,
        "GATEWAY_API_KEYS": KEY,
        "GATEWAY_RESPONSES_DB": str(subdirectory("data") / f"{name}.sqlite3"),
        **extra,
    }


def gateway(
    upstream: str, name: str, workers: int = 1, python: str = sys.executable, **env: str
) -> ServerSpec:
    """`copilot-gateway serve` with everything on, as a user runs it."""
    command: tuple[str, ...] = (python, "-m", "copilot_gateway", "serve")
    if workers > 1:
        command += ("--workers", str(workers))
    return ServerSpec(command, gateway_env(upstream, name, **env))


def variant(upstream: str, name: str, redis: str | None = None) -> ServerSpec:
    """The gateway with one feature switched off or on (`benchlib.variants`); its limits
    counted in the Redis at `redis` where given."""
    spec = bench_module("variants", name, "--scratch", str(subdirectory(f"variant-{name}")))
    env = {**spec.env, **gateway_env(upstream, f"variant-{name}")}
    if redis is not None:
        env["GATEWAY_REDIS_URL"] = redis
    return ServerSpec(spec.command, env)


def redis() -> ServerSpec:
    """A redis-server keeping nothing on disk (Debian's; `scripts/bench` installs it)."""
    command = ("redis-server", "--save", "", "--appendonly", "no", "--bind", "127.0.0.1")
    return ServerSpec(command)


def workers_supported(python: str = sys.executable) -> bool:
    help_text = subprocess.run(
        [python, "-m", "copilot_gateway", "serve", "--help"],
        capture_output=True,
        text=True,
        env=child_env({}),
    ).stdout
    return "--workers" in help_text


def bench_env() -> dict[str, str]:
    """For a one-off child of this package (`python -m benchlib.startup`)."""
    return child_env({"PYTHONPATH": str(SCRIPTS)})
