"""The agent setups (`agent_setups.SETUPS`) as the docs show them: each in full on the
coding agents' page (docs/agents.md), and one line per CLI in the README's "Use it from
your agent". Tests keep both as written here.

    python tests/e2e/agent_pages.py   # rewrites both sections
"""

from __future__ import annotations

import json
import shlex
import tomllib
from pathlib import Path
from typing import Any

from agent_setups import GATEWAY, KEY, SETUPS, Setup

ROOT = Path(__file__).resolve().parents[2]
PAGE, README = ROOT / "docs" / "agents.md", ROOT / "README.md"
PAGE_START = "<!-- agent setups: written by `python tests/e2e/agent_pages.py` -->"
TABLE_START = "<!-- agent table: written by `python tests/e2e/agent_pages.py` -->"
END = "<!-- end of agent setups -->"
SURFACE_NAMES = {
    "chat": "chat completions",
    "responses": "the Responses API",
    "messages": "the Messages API",
    "gemini": "the Gemini API",
}
SHORT_SURFACE_NAMES = {
    "chat": "chat",
    "responses": "Responses",
    "messages": "Messages",
    "gemini": "Gemini",
}
COMMENTS = {"json": "//", "toml": "#"}


def shell_words(words: tuple[str, ...] | list[str]) -> str:
    return " ".join(shlex.quote(word) for word in words)


def language(path: str) -> str:
    return path.rsplit(".", 1)[1]


def setup_text(setup: Setup) -> str:
    """One setup in full: its files, its setup command, its run."""
    model = setup.model or "its own default model"
    lines = [f"{setup.cli} over {SURFACE_NAMES[setup.surface]} (`{model}`):", ""]
    for path, text in setup.files.items():
        kind = language(path)
        lines += [f"```{kind}", f"{COMMENTS[kind]} ~/{path}", text.rstrip("\n"), "```", ""]
    lines.append("```sh")
    lines += [shell_words(command) for command in setup.before]
    env = [f"{name}={shlex.quote(value)}" for name, value in setup.env.items()]
    lines += [" \\\n  ".join([*env, shell_words(setup.argv("say hi"))]), "```", ""]
    return "\n".join(lines)


def page_section() -> str:
    """What docs/agents.md holds between PAGE_START and END."""
    return "\n".join([PAGE_START, "", *map(setup_text, SETUPS), END])


# The README's table ------------------------------------------------------------------------


def parsed(path: str, text: str) -> dict[str, Any]:
    return tomllib.loads(text) if language(path) == "toml" else json.loads(text)


def leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """A config's values by dotted path (lists as leaves)."""
    if not isinstance(value, dict):
        return {prefix: value}
    found: dict[str, Any] = {}
    for name, item in value.items():
        found |= leaves(item, f"{prefix}.{name}" if prefix else name)
    return found


def pointing(setup: Setup) -> str:
    """Where the gateway's address and key go: its variables, its file's keys, its setup
    command's flags."""
    places = [f"`{name}`" for name, value in setup.env.items() if value.startswith(GATEWAY)]
    for path, text in setup.files.items():
        keys = [k for k, v in leaves(parsed(path, text)).items() if str(v).startswith(GATEWAY)]
        places += [f"`~/{path}` {', '.join(f'`{k}`' for k in keys)}"] if keys else []
    for command in setup.before:
        flags = [command[i - 1] for i, word in enumerate(command) if GATEWAY in word or word == KEY]
        places.append(f"`{shell_words(command[:2])}` {' '.join(f'`{f}`' for f in flags)}")
    keys = [f"`{name}`" for name, value in setup.env.items() if value == KEY]
    return "; ".join(places + ([f"key in {', '.join(keys)}"] if keys else []))


def other_settings(setup: Setup) -> str:
    """What keeps it offline (and runs it unattended): its variables beside the gateway's,
    its files' settings, its flags."""
    parts = [
        f"`{name}={value}`"
        for name, value in setup.env.items()
        if not value.startswith(GATEWAY) and value != KEY
    ]
    parts += [f"`{switch}`" for switch in setup.offline if switch.startswith("-")]
    for path, text in setup.files.items():
        settings = leaves(parsed(path, text))
        named = [f"`{s}: {json.dumps(settings[s])}`" for s in setup.offline if s in settings]
        parts += [f"in `~/{path}` {', '.join(named)}"] if named else []
    return ", ".join(parts)


def table_row(setup: Setup) -> str:
    surfaces = [s.surface for s in SETUPS if s.cli == setup.cli]
    cells = [
        setup.cli,
        ", ".join(SHORT_SURFACE_NAMES[surface] for surface in surfaces),
        pointing(setup),
        f"`{setup.model}`",
        other_settings(setup),
    ]
    return "| " + " | ".join(cells) + " |"


def table_section() -> str:
    """What the README holds between TABLE_START and END: one row per CLI (its first setup)."""
    first: dict[str, Setup] = {}
    for setup in SETUPS:
        first.setdefault(setup.cli, setup)
    rows = [table_row(setup) for setup in first.values()]
    columns = [
        "Agent",
        "Surfaces",
        f"Gateway (`{GATEWAY}`) and key",
        "Model",
        "Offline, unattended",
    ]
    header = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    return "\n".join([TABLE_START, *header, *rows, END])


def rewritten(text: str, start: str, section: str) -> str:
    at, end = text.index(start), text.index(END, text.index(start)) + len(END)
    return text[:at] + section + text[end:]


if __name__ == "__main__":
    PAGE.write_text(rewritten(PAGE.read_text(), PAGE_START, page_section()))
    README.write_text(rewritten(README.read_text(), TABLE_START, table_section()))
