"""The coding agents' page (docs/agents.md, linked from the README) shows the setups the
end-to-end tests run (tests/e2e/agent_setups.py), so the two cannot drift."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from agent_setups import README_END, README_START, SETUPS, readme_section  # noqa: E402


def test_the_agents_page_shows_each_agent_as_the_tests_run_it() -> None:
    readme = (ROOT / "docs" / "agents.md").read_text()
    start, end = readme.index(README_START), readme.index(README_END) + len(README_END)
    assert readme[start:end] == readme_section(), "run `python tests/e2e/agent_setups.py`"


def test_every_agent_is_on_the_page() -> None:
    section = readme_section()
    for setup in SETUPS:
        assert all(f"// ~/{path}" in section for path in setup.files)
        assert f"{setup.cli} over" in section
