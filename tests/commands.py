"""Run `copilot-gateway` as users run it: a real process, on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

COMMAND = [sys.executable, "-m", "copilot_gateway"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_") and k != "GITHUB_TOKEN"
    }
    return {**env, "GATEWAY_TOKEN_FILE": "/nonexistent/github_token", **extra}


@contextmanager
def started(
    args: list[str], env: dict[str, str], ready_url: str, cwd: Path | None = None
) -> Iterator[subprocess.Popen[str]]:
    # A session of its own: what it starts (`--workers` processes) is stopped with it.
    process = subprocess.Popen(
        COMMAND + args,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180  # a ceiling: a loaded 2-core machine starts slowly
        while True:
            try:
                httpx.get(ready_url, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()  # so reading what it said cannot wait for ever
                    said, _ = process.communicate(timeout=10)
                    raise RuntimeError(said or "did not start") from None
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)  # workers stop gracefully, slowly on a loaded machine
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # no worker outlives a failed test
            process.wait(timeout=10)
            raise


@contextmanager
def hosts(directory: Path, env: dict[str, str], count: int = 2) -> Iterator[list[str]]:
    """`serve` processes as on hosts of their own, on one shared state (`env`): each on a
    free port, in a directory of its own (its working directory, HOME and data directory,
    where any file of its own would go); their URLs."""
    with ExitStack() as stack:
        urls = []
        for number in range(count):
            home = directory / f"host-{number}"
            home.mkdir()
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            own = clean_env(**env, HOME=str(home), XDG_DATA_HOME=str(home / "data"))
            stack.enter_context(
                started(["serve", "--port", str(port)], own, f"{url}/healthz", cwd=home)
            )
            urls.append(url)
        yield urls
