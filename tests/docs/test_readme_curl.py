"""Every curl line of the README and of the docs, run as written against a live gateway on the
emulator."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from docs_pages import DOCUMENTED_BASE, code_blocks, quickstart_gateway


def curl_commands() -> list[str]:
    commands = []
    for block in code_blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("curl "):
                commands.append(re.sub(r"\s+", " ", line).strip())
    return commands


COMMANDS = curl_commands()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with quickstart_gateway() as url:
        yield url


def test_the_docs_have_curl_examples_of_every_operation() -> None:
    joined = "\n".join(COMMANDS)
    for path in (
        "/v1/models",
        "/v1/chat/completions",
        "/v1/embeddings",
        "/openapi.json",
        "/metrics",
    ):
        assert path in joined
    assert any('"stream": true' in command for command in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_curl_example_works_as_written(command: str, base_url: str, tmp_path: Path) -> None:
    assert DOCUMENTED_BASE in command
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command.replace(DOCUMENTED_BASE, base_url)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if redirect := re.search(r"> (\S+)", command):
        assert orjson.loads((tmp_path / redirect.group(1)).read_bytes())["openapi"]
    elif "| grep" in command:
        assert result.stdout.strip()
    elif '"stream": true' in command:
        events = result.stdout.split("\n\n")
        assert events[-2:] == ["data: [DONE]", ""]
        for event in events[:-2]:
            assert orjson.loads(event.removeprefix("data: "))["object"] == "chat.completion.chunk"
    elif "an error" in command:
        assert set(orjson.loads(result.stdout)["error"]) == {"message", "type", "param", "code"}
    else:
        assert "error" not in orjson.loads(result.stdout)
