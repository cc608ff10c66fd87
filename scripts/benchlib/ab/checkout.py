"""The other side of an A/B run: a revision checked out in a temporary `git worktree`, installed
into a temporary venv with the same dependency versions as the working tree's, removed after.

Pinning the dependencies to the working tree's (a constraints file from its venv) keeps the
comparison on the gateway's code: a newer aiohttp on one side only would move the figures
by more than most changes do. Where the revision cannot install with those pins (it needs
other versions), it is installed without them and the report says so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Checkout:
    revision: str  # as given
    commit: str  # its short hash
    python: str  # the temporary venv's interpreter
    install: str  # how it was installed, for the report


def git(*arguments: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *arguments], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def find_uv(given: Path | None) -> Path | None:
    """uv as given, else on PATH, else the one tox provisions for itself in this checkout."""
    candidates = [given] if given else []
    on_path = shutil.which("uv")
    candidates += [Path(on_path)] if on_path else []
    candidates.append(ROOT / ".tox" / ".tox" / "bin" / "uv")
    return next((path for path in candidates if path.is_file()), None)


def pins(uv: Path | None) -> list[str]:
    """The working tree venv's packages at their versions, the project itself left out."""
    if uv:
        command = [str(uv), "pip", "freeze", "--python", sys.executable]
    else:
        command = [sys.executable, "-m", "pip", "freeze"]
    frozen = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return [
        line
        for line in frozen.splitlines()
        if line and not line.startswith(("-e", "#")) and "copilot" not in line.split("=")[0]
    ]


def install(venv: Path, tree: Path, uv: Path | None, constraints: Path | None) -> str:
    """Create `venv` and install `tree` into it (a wheel, as users install it); its python."""
    python = venv / "bin" / "python"
    pinned = ["-c", str(constraints)] if constraints else []
    if uv:
        subprocess.run(
            [str(uv), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True
        )
        # Compiled now, as pip does: else B's first start-up would compile every module.
        command = [str(uv), "pip", "install", "--quiet", "--compile-bytecode"]
        command += ["--python", str(python), *pinned, str(tree)]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        command = [str(python), "-m", "pip", "install", "--quiet", *pinned, str(tree)]
    subprocess.run(command, check=True, capture_output=True, text=True)
    return str(python)


def build(base: Path, tree: Path, uv: Path | None) -> tuple[str, str]:
    """The venv's python, and how it was installed."""
    tool = "uv" if uv else "pip"
    constraints = base / "constraints.txt"
    constraints.write_text("\n".join(pins(uv)) + "\n")
    try:
        python = install(base / "venv", tree, uv, constraints)
        return python, f"a wheel in a temporary venv ({tool}), dependencies pinned to A's"
    except subprocess.CalledProcessError as error:
        print(f"pinned install failed, installing unpinned: {error.stderr}", file=sys.stderr)
    shutil.rmtree(base / "venv", ignore_errors=True)
    python = install(base / "venv", tree, uv, None)
    return python, f"a wheel in a temporary venv ({tool}); A's pins did not fit, so UNPINNED"


@contextmanager
def checkout(revision: str, uv: Path | None = None) -> Iterator[Checkout]:
    commit = git("rev-parse", "--short", "--verify", f"{revision}^{{commit}}")
    base = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    tree = base / "tree"
    git("worktree", "add", "--detach", "--quiet", str(tree), commit)
    try:
        python, how = build(base, tree, find_uv(uv))
        yield Checkout(revision, commit, python, how)
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)
        git("worktree", "prune")
