"""The `copilot-gateway` command, run as users run it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

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
    args: list[str], env: dict[str, str], ready_url: str
) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        COMMAND + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(ready_url, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        process.stdout.read() if process.stdout else "did not start"
                    ) from None
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_without_credentials_runs_the_emulator_and_says_so() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with started(["serve", "--port", str(port)], clean_env(), f"{base}/healthz") as process:
        chat = httpx.post(
            f"{base}/v1/chat/completions",
            json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert chat.status_code == 200
    output = process.stdout.read() if process.stdout else ""
    assert "built-in Copilot emulator" in output
    assert "authentication is OFF" in output


def test_serve_with_keys_requires_them() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with started(
        ["serve", "--port", str(port)], clean_env(GATEWAY_API_KEYS="sk-cli"), f"{base}/healthz"
    ) as process:
        assert httpx.get(f"{base}/v1/models").status_code == 401
        assert (
            httpx.get(f"{base}/v1/models", headers={"Authorization": "Bearer sk-cli"}).status_code
            == 200
        )
    assert "sk-cli" not in (process.stdout.read() if process.stdout else "")


@pytest.mark.parametrize("env", [{}, {"GATEWAY_AUTH_DISABLED": "true", "GATEWAY_API_KEYS": "k"}])
def test_serve_refuses_an_open_gateway_on_a_public_interface(env: dict[str, str]) -> None:
    result = subprocess.run(
        [*COMMAND, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "refusing to start" in result.stderr


def test_serve_names_a_bad_setting() -> None:
    result = subprocess.run(
        [*COMMAND, "serve"],
        env=clean_env(GATEWAY_MAX_BODY_BYTES="lots"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2 and "max_body_bytes" in result.stderr


def test_emulator_command_serves_the_copilot_protocol() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with started(["emulator", "--port", str(port)], clean_env(), f"{base}/models"):
        answer = httpx.get(
            f"{base}/copilot_internal/v2/token", headers={"Authorization": "token gho_x"}
        ).json()
        assert answer["endpoints"]["api"] == base
        gateway_port = free_port()
        env = clean_env(GITHUB_TOKEN="gho_x", GATEWAY_GITHUB_API_URL=base)
        gateway = f"http://127.0.0.1:{gateway_port}"
        with started(["serve", "--port", str(gateway_port)], env, f"{gateway}/healthz") as process:
            assert httpx.get(f"{gateway}/v1/models").json()["data"]
        assert "GitHub Copilot" in (process.stdout.read() if process.stdout else "")


def test_serve_with_workers_answers_from_every_process() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(GATEWAY_API_KEYS="sk-workers")
    with started(
        ["serve", "--port", str(port), "--workers", "2"], env, f"{base}/healthz"
    ) as process:
        auth = {"Authorization": "Bearer sk-workers"}
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
        for _ in range(10):
            assert (
                httpx.post(f"{base}/v1/chat/completions", json=body, headers=auth).status_code
                == 200
            )
        assert httpx.get(f"{base}/v1/models").status_code == 401
    assert (process.stdout.read() if process.stdout else "").count("Started server process") >= 2
