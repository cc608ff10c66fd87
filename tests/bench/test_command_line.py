"""`scripts/bench`'s command line parses, and its modes are where `--help` says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchlib import cli

SCRIPTS = Path(cli.__file__).resolve().parents[1]


def test_help_parses_and_names_every_mode() -> None:
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    done = subprocess.run(
        [sys.executable, "-m", "benchlib", "--help"], capture_output=True, text=True, env=env
    )

    assert done.returncode == 0, done.stderr
    for flag in ("--quick", "--streams", "--output", "--only", "--render", "--ab", "--uv"):
        assert flag in done.stdout


def test_the_flags_parse_as_the_modes_need_them() -> None:
    arguments = cli.parser().parse_args(["--ab", "dc4492f", "--quick", "--only", "chat, messages"])

    assert arguments.ab == "dc4492f"
    assert arguments.quick
    assert arguments.only == ["chat", "messages"]


def test_render_and_ab_are_one_mode_or_the_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["--render", "results.json", "--ab", "HEAD"])

    assert "not allowed with argument" in capsys.readouterr().err
