"""The coding agents' page (docs/agents.md) and the README's "Use it from your agent" show
the setups the end-to-end tests run (tests/e2e/agent_setups.py), so they cannot drift."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from agent_pages import (  # noqa: E402
    END,
    PAGE_START,
    TABLE_START,
    leaves,
    page_section,
    parsed,
    table_section,
)
from agent_setups import SETUPS  # noqa: E402

REWRITE = "run `python tests/e2e/agent_pages.py`"


def written(path: Path, start: str) -> str:
    text = path.read_text()
    at = text.index(start)
    return text[at : text.index(END, at) + len(END)]


def test_the_agents_page_shows_each_agent_as_the_tests_run_it() -> None:
    assert written(ROOT / "docs" / "agents.md", PAGE_START) == page_section(), REWRITE


def test_the_readme_table_shows_each_agent_as_the_tests_run_it() -> None:
    assert written(ROOT / "README.md", TABLE_START) == table_section(), REWRITE


def test_every_agent_is_on_the_page_and_in_the_table() -> None:
    page, table = page_section(), table_section()
    for setup in SETUPS:
        assert all(f" ~/{path}" in page for path in setup.files)
        assert f"{setup.cli} over" in page
        assert f"\n| {setup.cli} |" in table
    assert len({setup.cli for setup in SETUPS}) == 8


def test_every_offline_switch_shown_is_one_the_setup_has() -> None:
    """A setting named in `offline` is one of its files', a flag one of its command's."""
    for setup in SETUPS:
        settings = {key for path, text in setup.files.items() for key in leaves(parsed(path, text))}
        for switch in setup.offline:
            assert switch in (setup.command if switch.startswith("-") else settings), switch
