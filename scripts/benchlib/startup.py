"""The gateway's start-up in seconds: its modules imported, the spec documents loaded, the
validators compiled (what `serve` does before it listens). Printed as one number.

Run in a fresh interpreter of whichever install is timed (the A/B mode times two):

    PYTHONPATH=scripts python -m benchlib.startup
"""

from __future__ import annotations

import subprocess
import sys
import time


def main() -> None:
    started = time.perf_counter()
    from . import internals

    internals.build(internals.settings(api_keys="k"))
    print(time.perf_counter() - started)


def seconds(python: str) -> float:
    """One start-up of the gateway installed for `python`, in a process of its own."""
    from .servers import bench_env

    command = [python, "-m", "benchlib.startup"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=bench_env())
    return float(done.stdout.strip().splitlines()[-1])


def seconds_if_timed(python: str) -> float | None:
    """As `seconds`, or None (said on stderr) where it fails: a run's other figures are
    worth keeping when a renamed internal breaks only this one."""
    try:
        return seconds(python)
    except (subprocess.CalledProcessError, ValueError, IndexError) as error:
        detail = error.stderr if isinstance(error, subprocess.CalledProcessError) else error
        print(f"start-up not timed for {python}: {detail}", file=sys.stderr)
        return None


if __name__ == "__main__":
    main()
