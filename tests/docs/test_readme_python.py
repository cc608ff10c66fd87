"""Every Python example of the README and of the docs, run as written against a live gateway
on the emulator: a page's examples in one interpreter, in their order, as a reader pastes them
(a later one may use the `client` an earlier one made).

A page that generates a client from the spec first runs its own commands for it, as written
(`pipx run openapi-python-client` is the generator of this environment: no network here).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from docs_pages import DOCUMENTED_BASE, blocks, pages, quickstart_gateway

GENERATOR = str(Path(sys.executable).parent / "openapi-python-client")


def generation_commands(text: str) -> list[str]:
    """The page's shell lines that fetch the spec to a file and generate a client from it."""
    lines = [line for block in blocks(text, "sh") for line in block.splitlines()]
    return [
        line.replace("pipx run openapi-python-client", GENERATOR)
        for line in lines
        if (line.startswith("curl ") and " > " in line)
        or line.startswith("pipx run openapi-python-client")
    ]


EXAMPLES = {name: text for name, text in pages().items() if blocks(text, "python")}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with quickstart_gateway() as url:
        yield url


def test_the_docs_have_python_examples_of_each_client_family() -> None:
    joined = "\n".join(block for text in EXAMPLES.values() for block in blocks(text, "python"))
    for family in ("from openai import", "import anthropic", "from agents import"):
        assert family in joined, family


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_python_examples_run_as_written(name: str, base_url: str, tmp_path: Path) -> None:
    text = EXAMPLES[name]
    for command in generation_commands(text):
        subprocess.run(
            ["bash", "-o", "pipefail", "-c", command.replace(DOCUMENTED_BASE, base_url)],
            cwd=tmp_path,
            capture_output=True,
            timeout=300,
            check=True,
        )
    program = "\n".join(blocks(text, "python")).replace(DOCUMENTED_BASE, base_url)
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), "the examples printed nothing"
