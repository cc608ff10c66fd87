"""The newer features priced: each one's server CPU per request, and its target."""

from __future__ import annotations

from ..figures import Priced
from ..targets import Targets
from .tables import Lines, cpu_us, met, table


def target_rows(figures: Priced | None, targets: Targets) -> list[tuple[object, ...]]:
    if figures is None:
        return []
    budget = targets.feature_cpu_us
    return [
        (
            f"{row.feature} ≤ {budget / 1000:g} ms server CPU per request, 32 connections",
            "n/a" if row.cost_us is None else f"{row.cost_us:+.0f} µs",
            "n/a" if row.cost_us is None else met(row.cost_us <= budget),
        )
        for row in figures.rows
    ]


def section(figures: Priced) -> Lines:
    rows: list[tuple[object, ...]] = []
    for row in figures.rows:
        cost = "n/a" if row.cost_us is None else f"{row.cost_us:+.0f}"
        on, off = row.on, row.off
        rows.append(
            (row.feature, "with", row.with_it, f"{on.rps:,.0f}", cpu_us(on), cost, on.failed)
        )
        rows.append(("", "without", row.without_it, f"{off.rps:,.0f}", cpu_us(off), "", off.failed))
    header = (
        "feature",
        "",
        "load",
        "req/s",
        "CPU µs/request",
        "the feature costs µs/request",
        "failed",
    )
    return [
        "## The newer features priced",
        "",
        "Each feature's server CPU per request: the same load with it and without, 1 KB chat "
        f"at 32 connections, {figures.rounds} rounds interleaved, medians. The ledger's row "
        "is in its own section.",
        "",
        *table(header, rows),
        "",
    ]
