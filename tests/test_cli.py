"""The `copilot-gateway` command, run as users run it."""

from __future__ import annotations

import subprocess
import threading
from typing import IO

import httpx
import pytest

from commands import COMMAND, clean_env, free_port, started


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
    assert f"OPENAI_BASE_URL={base}/v1" in output  # the next step, in plain words


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
        timeout=120,
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
        timeout=120,
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


class Output:
    """A running command's output, read as it comes (in a thread), to wait on its lines."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def count(self, text: str) -> int:
        with self._changed:
            return sum(text in line for line in self.lines)

    def wait_for(self, text: str, times: int, within: float = 180) -> bool:
        """Whether `text` was said `times` times within `within` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self.count(text) >= times, timeout=within)

    def said(self) -> str:
        """All of it, once the command has ended."""
        self._reader.join(timeout=120)  # its end of file: every process has exited
        return "".join(self.lines)


def test_serve_with_workers_answers_from_every_process() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(GATEWAY_API_KEYS="sk-workers")
    with started(
        ["serve", "--port", str(port), "--workers", "2"], env, f"{base}/healthz"
    ) as process:
        output = Output(process)
        # One worker answering /healthz says nothing of the other: each says when it is up.
        assert output.wait_for("Application startup complete", times=2), output.lines
        auth = {"Authorization": "Bearer sk-workers"}
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
        for _ in range(10):
            answer = httpx.post(f"{base}/v1/chat/completions", json=body, headers=auth)
            assert answer.status_code == 200
        assert httpx.get(f"{base}/v1/models").status_code == 401
    assert output.said().count("Started server process") >= 2
