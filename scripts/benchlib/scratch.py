"""One scratch directory per bench run (wrk's scripts and bodies, the gateways' databases),
made on first use and removed when the run ends."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path


@functools.cache
def scratch() -> Path:
    path = Path(tempfile.mkdtemp(prefix="bench-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def subdirectory(name: str) -> Path:
    path = scratch() / name
    path.mkdir(exist_ok=True)
    return path
