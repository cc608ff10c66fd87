"""The npm projects of the end-to-end tests (each folder's package-lock.json), installed
with this machine's node and npm."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

NEEDED = "Node 20 (or later) and npm are needed for this test (Debian: apt-get install nodejs npm)"


def node_and_npm() -> tuple[str, str]:
    """This machine's node and npm, or a failure saying what is missing (never a skip: a
    machine without them would silently leave these clients untested)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if not path)
        pytest.fail(f"{missing} not found. {NEEDED}", pytrace=False)
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 20:
        pytest.fail(f"node is {version}. {NEEDED}", pytrace=False)
    return node, npm


def installed(project: Path, timeout: float = 600) -> str:
    """The project's packages installed (cached in its node_modules); node's path. One
    install at a time per project (xdist workers share the folder), a failure saying why."""
    node, npm = node_and_npm()
    with (project / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent"],
            cwd=project,
            check=False,
            timeout=timeout,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        said = (done.stderr or done.stdout)[-2000:]
        pytest.fail(f"npm install in {project} failed ({done.returncode}):\n{said}", pytrace=False)
    return node
