"""The feature-cost variants switch a feature off in their own process, wherever the gateway
keeps it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchlib import internals

SCRIPTS = Path(internals.__file__).resolve().parents[1]

# Run in a process of its own: the switch is process-wide, as in a variant's server.
METRICS_OFF = """
import sys
from benchlib import internals
originals = [internals.resolve(name) for name in ("observe_request", "observe_upstream")]
internals.switch_off_metrics()
holders = sorted(
    f"{name}.{attribute}"
    for name, module in list(sys.modules.items())
    if name.startswith("copilot_gateway") and module is not None
    for attribute, value in vars(module).items()
    if any(value is original for original in originals)
)
print(holders)
"""


def test_metrics_switched_off_leave_no_module_holding_a_metric_function() -> None:
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    done = subprocess.run(
        [sys.executable, "-c", METRICS_OFF], capture_output=True, text=True, env=env
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
