"""Where and when a run is made: the machine, the commit, the gateway's start-up."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

from ..figures import Meta

ROOT = Path(__file__).resolve().parents[3]


def commit(tree: Path = ROOT) -> str:
    """The short commit, marked `+changes` where the tree differs from it."""
    git = ["git", "-C", str(tree)]
    short = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    # The bench's own output does not count as a change to what it measured.
    status = [*git, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks"]
    dirty = subprocess.run(status, capture_output=True, text=True)
    return short.stdout.strip() + (" +changes" if dirty.stdout.strip() else "")


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    found = (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    return next(found, platform.processor())


def now() -> str:
    return f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}"


def start(quick: bool) -> Meta:
    """The machine as the run starts (start-up and duration are added when known)."""
    return Meta(
        date=now(),
        commit=commit(),
        cores=os.cpu_count() or 1,
        cpu=cpu_model(),
        python=platform.python_version(),
        load_average=os.getloadavg()[0],
        quick=quick,
    )
