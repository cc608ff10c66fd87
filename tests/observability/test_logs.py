"""Logs as an operator reads them: JSON lines when piped, text on a terminal, one access
line per request with what the request was, and never a body."""

from __future__ import annotations

import logging
import os
import pty
import select
import subprocess
import time

import httpx
import orjson
import pytest

from commands import COMMAND, clean_env, free_port, started
from copilot_gateway.emulator import CopilotEmulator
from servers import gated, gateway_settings, serving, until

KEY = "sk-logged-key-7d1e"
SECRET_PROMPT = "my-private-prompt-5c0b"


def chat(base: str, request_id: str) -> httpx.Response:
    return httpx.post(
        f"{base}/v1/chat/completions",
        headers={"Authorization": f"Bearer {KEY}", "X-Request-Id": request_id},
        json={"model": "gpt-4o", "messages": [{"role": "user", "content": SECRET_PROMPT}]},
        timeout=30,
    )


def served_output(**env: str) -> tuple[str, httpx.Response]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = ["serve", "--port", str(port)]
    with started(command, clean_env(GATEWAY_API_KEYS=KEY, **env), f"{base}/healthz") as process:
        answer = chat(base, "trace-logs-1")
        httpx.get(f"{base}/v1/models/no-such-model", headers={"Authorization": f"Bearer {KEY}"})
    return (process.stdout.read() if process.stdout else ""), answer


def test_piped_logs_are_json_lines_with_one_access_line_per_request() -> None:
    output, answer = served_output()
    lines = [orjson.loads(line) for line in output.splitlines() if line.strip()]
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # theirs too
    access = [line for line in lines if line["logger"] == "copilot_gateway.access"]
    chat_line = next(line for line in access if line["request_id"] == "trace-logs-1")
    usage = answer.json()["usage"]
    assert (
        chat_line
        | {
            "method": "POST",
            "path": "/v1/chat/completions",
            "status": 200,
            "operation": "createChatCompletion",
            "model": "gpt-4o",
            "key": "key-1",
            "upstream_status": 200,
            "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens": usage["completion_tokens"],
        }
        == chat_line
    )
    assert chat_line["latency_ms"] > 0 and "timestamp" in chat_line and "error" not in chat_line
    missing = next(line for line in access if line["path"] == "/v1/models/no-such-model")
    assert missing["status"] == 404 and missing["error"] == "model_not_found"
    assert "model" not in missing  # a made-up model is not a fact about the request
    assert SECRET_PROMPT not in output and KEY not in output


def test_forced_text_logs_read_as_lines_with_named_fields() -> None:
    output, _ = served_output(GATEWAY_LOG_FORMAT="text")
    chat_line = next(line for line in output.splitlines() if "[trace-logs-1]" in line)
    assert chat_line.startswith("INFO:")
    assert "POST /v1/chat/completions 200" in chat_line
    assert "operation=createChatCompletion model=gpt-4o key=key-1" in chat_line


def test_logs_on_a_terminal_are_text() -> None:
    port = free_port()
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port)],
        env=clean_env(),
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    output = b""
    try:
        deadline = time.monotonic() + 60  # a loaded 2-core machine starts slowly
        while b"Uvicorn running" not in output and time.monotonic() < deadline:
            readable, _, _ = select.select([leader], [], [], max(deadline - time.monotonic(), 0))
            if readable:
                output += os.read(leader, 4096)
    finally:
        process.terminate()
        process.wait(timeout=60)
        os.close(leader)
    text = output.decode()
    assert "INFO:     [-] Uvicorn running" in text
    assert not any(line.lstrip().startswith("{") for line in text.splitlines())


def test_a_client_leaving_mid_stream_is_logged_as_such(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="copilot_gateway.access")
    body = {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "a b c d"}]}
    # The upstream stream waits at the gate before its end: the client leaves mid-stream.
    with (
        gated(CopilotEmulator().app) as (emulator_url, gate),
        serving(gateway_settings(emulator_url)) as url,
    ):
        headers = {"Authorization": "Bearer sk-test-key", "X-Request-Id": "trace-leaving"}
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, headers=headers):
            gate.wait_until_held()
        assert until(lambda: access_records(caplog, "trace-leaving"))
    (record,) = access_records(caplog, "trace-leaving")
    assert record.status == 200 and record.error == "client_disconnected"  # type: ignore[attr-defined]


def access_records(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "copilot_gateway.access" and record.request_id == request_id  # type: ignore[attr-defined]
    ]
