"""A soak's verdict and its section of `benchmarks/soak.md`: per surface the requests,
errors, latencies and ledger rows, then each gateway process's memory; a soak fails on any
error, on memory grown past 5%, or on ledger rows unequal to the requests served."""

from __future__ import annotations

import datetime
import statistics
import subprocess
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .soak_load import Soak
from .soak_memory import Memory, too_much
from .soak_run import Result
from .soak_surfaces import COMPLETED, SURFACES, key_name

ROOT = Path(__file__).resolve().parents[2]
MEMORY_BOUND = 0.05


def verdict(result: Result) -> list[str]:
    """Every reason the soak failed (empty: it passed)."""
    soak, memory, rows = result.load, result.memory, result.rows
    reasons = [f"{surface}: {kind} ({n})" for (surface, kind), n in soak.errors().items()]
    reasons += too_much(memory, MEMORY_BOUND)
    reasons += result.unflushed
    for number, surface in enumerate(SURFACES):
        if rows[key_name(number)] != soak.answered[surface.name]:
            reasons.append(
                f"{surface.name}: {rows[key_name(number)]} ledger rows for "
                f"{soak.answered[surface.name]} requests served"
            )
    if not memory.measured():
        reasons.append("no memory measured after the warm-up: a run longer than its warm-up")
    return reasons


def milliseconds(latencies: Sequence[float], quantile: int) -> str:
    if len(latencies) < 2:
        return "n/a"
    return f"{statistics.quantiles(latencies, n=100)[quantile - 1] * 1000:.0f} ms"


def commit_line() -> str:
    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    return f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; commit {commit}"


def surfaces_table(soak: Soak, rows: Counter[str]) -> list[str]:
    errors = soak.errors()
    lines = [
        "| surface | requests completed | errors | p50 | p99 | ledger rows | requests served |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for number, surface in enumerate(SURFACES):
        failed = sum(n for (name, _), n in errors.items() if name == surface.name)
        latencies = soak.latencies.get(surface.name, [])
        lines.append(
            f"| {surface.name} | {soak.outcomes[surface.name, COMPLETED]:,} | {failed} "
            f"| {milliseconds(latencies, 50)} | {milliseconds(latencies, 99)} "
            f"| {rows[key_name(number)]:,} | {soak.answered[surface.name]:,} |"
        )
    return lines


def errors_line(soak: Soak) -> str:
    kinds = Counter[str]()
    for (_, kind), n in soak.errors().items():
        kinds[kind] += n
    if not kinds:
        return "Errors by kind: none."
    return "Errors by kind: " + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()) + "."


def examples(soak: Soak) -> list[str]:
    """The end of each kind of error's first answer, to say what it was."""
    return [
        f"- {surface}, {kind}: `{' '.join(text.replace('`', ' ').split())}`"
        for (surface, kind), text in soak.examples.items()
    ]


def memory_table(memory: Memory) -> list[str]:
    lines = [
        "| gateway | process | memory after warm-up | at the end | growth "
        "| samples (MiB, every 30 s) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, number, life in memory.measured():
        samples = ", ".join(f"{s / 1024:.1f}" for s in life.samples)
        lines.append(
            f"| {name} | {number} | {life.samples[0] / 1024:.1f} MiB "
            f"| {life.samples[-1] / 1024:.1f} MiB | {life.growth:+.1%} | {samples} |"
        )
    return lines


def section(
    heading: str, setup: Sequence[str], result: Result, reasons: Sequence[str]
) -> list[str]:
    soak, memory, rows = result.load, result.memory, result.rows
    verdict_line = "**Passed**" if not reasons else "**Failed**: " + "; ".join(reasons)
    return [
        heading,
        "",
        commit_line(),
        *setup,
        "",
        *surfaces_table(soak, rows),
        "",
        errors_line(soak),
        *examples(soak),
        "",
        *memory_table(memory),
        "",
        "What the gateways held (their own gauges, sampled with the memory):",
        *result.held.lines(),
        "",
        verdict_line,
        "",
    ]
