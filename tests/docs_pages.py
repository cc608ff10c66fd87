"""The README and the pages of `docs/` as text, for the tests that keep what they say true
(tables against the code, examples run as written)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from servers import CopilotEmulator, gateway_settings, running, serving

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The gateway the examples talk to, as the quickstart serves it.
DOCUMENTED_BASE = "http://127.0.0.1:8080"


def page(name: str) -> str:
    """A page of `docs/` by its file name (`"endpoints.md"`), or `"README.md"`."""
    return (ROOT / name if name == "README.md" else DOCS / name).read_text()


def pages() -> dict[str, str]:
    """The README and every page of `docs/`, by name, in a stable order."""
    names = ["README.md", *sorted(path.name for path in DOCS.glob("*.md"))]
    return {name: page(name) for name in names}


def section(text: str, title: str) -> str:
    """The section of `text` under the heading `title` (of any level), up to the next heading
    of the same level or higher. Lines of fenced blocks are never headings (`# a comment`)."""
    lines = text.splitlines(keepends=True)
    fenced, start, level = False, None, 0
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#+) (.*)\n?$", line)
        if heading and start is None and heading[2] == title:
            start, level = number, len(heading[1])
        elif heading and start is not None and len(heading[1]) <= level:
            return "".join(lines[start:number])
    assert start is not None, f"no heading {title!r}"
    return "".join(lines[start:])


def blocks(text: str, language: str) -> list[str]:
    """The fenced blocks of that language in `text`, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def code_blocks(language: str) -> list[str]:
    """Every fenced block of that language in the README and the pages, in page order."""
    return [block for text in pages().values() for block in blocks(text, language)]


@contextmanager
def quickstart_gateway() -> Iterator[str]:
    """A gateway as the quickstart serves it (no keys, loopback), the emulator upstream: its
    base URL stands for `DOCUMENTED_BASE` when an example runs."""
    with running(CopilotEmulator().app) as emulator_url:
        settings = gateway_settings(emulator_url, api_keys="", auth_disabled=True)
        with serving(settings) as url:
            yield url
