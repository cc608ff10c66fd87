"""copilot-gateway's soak run: every surface for a long time, then errors, memory and ledger.

Clients on every surface (chat plain and streamed, legacy completions, embeddings, Responses
over SSE and over WebSocket, Messages plain and streamed, Gemini generateContent and
streamGenerateContent: `benchlib.soak_surfaces`) against a gateway whose upstream is the
emulator (separate processes on loopback), for the time given. It fails (exit 1) on any
error (each kind named), on the gateway's memory grown more than 5% from the end of the
warm-up to the end, or on ledger rows (read from its table once it has flushed) unequal,
on any surface, to the requests served.

    scripts/soak [--clients-per-surface 3] [--minutes 10] [--output benchmarks/soak.md]

With `--replicas 2`, two gateways on one PostgreSQL and Redis instead, each restarted once
mid-run: no request may be lost, no conversation broken (`benchlib.replicas`). Each run
rewrites its own section of the output.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from benchlib.aio import run
from benchlib.replicas import HEADING, soak_replicas, with_section
from benchlib.soak_report import section, verdict
from benchlib.soak_run import one_process
from benchlib.soak_surfaces import SURFACES

ROOT = Path(__file__).resolve().parent.parent
TITLE = "# Soak results"


def one_process_setup(per_surface: int, seconds: float, warmup: float) -> list[str]:
    return [
        f"- one `serve` process; {per_surface} clients on each of the {len(SURFACES)} "
        f"surfaces ({per_surface * len(SURFACES)} in all), one request after another, for "
        f"{warmup:.0f} s of warm-up then {seconds / 60:g} min measured; emulator pacing 2 ms "
        "between chunks, its plans' budgets x1000 (GATEWAY_EMULATOR_BUDGET_SCALE)",
        "- requests and ledger rows count the warm-up too; latencies (to the end of the answer) "
        "and memory (the gateway's VmRSS) from the end of the warm-up on",
    ]


def load_line(before: tuple[float, ...], after: tuple[float, ...]) -> str:
    """The machine's load average (1, 5, 15 min) as the run began and as it ended: a shared
    machine's other work slows every figure, and the 15-minute one covers the whole run."""

    def said(load: tuple[float, ...]) -> str:
        return " / ".join(f"{value:.1f}" for value in load)

    return (
        f"- load average (1 / 5 / 15 min, {os.cpu_count()} cores): {said(before)} at the "
        f"start, {said(after)} at the end"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients-per-surface", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--warmup", type=float, default=60, help="seconds before memory is measured"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "soak.md")
    parser.add_argument("--replicas", type=int, choices=(1, 2), default=1)
    arguments = parser.parse_args()
    output: Path = arguments.output
    output.parent.mkdir(parents=True, exist_ok=True)
    earlier = output.read_text() if output.exists() else TITLE + "\n"
    per_surface, seconds, warmup = (
        arguments.clients_per_surface,
        arguments.minutes * 60,
        arguments.warmup,
    )
    before = os.getloadavg()
    if arguments.replicas == 2:
        result, setup = soak_replicas(per_surface, seconds, warmup)
        heading = HEADING
    else:
        result = run(lambda: one_process(per_surface, seconds, warmup))
        setup, heading = one_process_setup(per_surface, seconds, warmup), TITLE
    setup = [*setup, load_line(before, os.getloadavg())]
    reasons = verdict(result)
    report = section(heading, setup, result, reasons)
    if arguments.replicas == 2:
        output.write_text(with_section(earlier, report))
    else:
        replicas_section = earlier[earlier.index(HEADING) :] if HEADING in earlier else ""
        output.write_text("\n".join(report) + ("\n" + replicas_section if replicas_section else ""))
    print("\n".join(report))
    sys.exit(1 if reasons else 0)


if __name__ == "__main__":
    main()
