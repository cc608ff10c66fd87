"""schemathesis against a live gateway's admin API (openapi/admin.yaml): every operation,
every check, zero failures, with the admin token; and 401 everywhere without it.

Seeded and bounded for the default suite (SCHEMATHESIS_MAX_EXAMPLES raises the budget).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_schemathesis import run

from admin_api import ADMIN_TOKEN, admin_settings
from copilot_gateway.spec.documents import load_spec, mounted_at_full_paths
from databases import Database, sqlite_database
from servers import serving

# Made keys are named by schemathesis: one it names twice is a 409, as the document says.
CONFIG = (
    "[checks]\npositive_data_acceptance.expected-statuses = [200, 201, 404, 409]\n"
    # A time its pattern admits may still be no date (2026-02-31): a 400 naming it.
    '[[operations]]\ninclude-operation-id = "getUsage"\n'
    "checks.positive_data_acceptance.expected-statuses = [200, 400]\n"
)


@pytest.fixture
def admin_url(emulator_url: str, tmp_path: Path) -> Iterator[str]:
    database: Database
    with (
        sqlite_database(tmp_path) as database,
        # schemathesis sends wrong tokens on purpose, then goes on with the right one.
        serving(
            admin_settings(emulator_url, database, admin_wrong_tokens_per_minute=10_000)
        ) as url,
    ):
        yield url


def write_spec(tmp_path: Path) -> Path:
    spec_file = tmp_path / "admin.json"
    spec_file.write_text(json.dumps(mounted_at_full_paths(load_spec("admin.yaml"))))
    return spec_file


def banner(stdout: str) -> list[str]:
    return re.findall(r"^=+ (.+?) in [0-9.]+s =+$", stdout, re.MULTILINE)


def test_schemathesis_finds_nothing_on_the_admin_api(tmp_path: Path, admin_url: str) -> None:
    result = run(
        write_spec(tmp_path),
        admin_url,
        "-H",
        f"Authorization: Bearer {ADMIN_TOKEN}",
        config_text=CONFIG,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert banner(result.stdout) == ["No issues found"], result.stdout[-5000:]
