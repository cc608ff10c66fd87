"""An A/B run's markdown (`ab.md`): each row's figures on both sides and their ratios, A / B.

Above 1 is faster for req/s; below 1 is better for latency and CPU. A ratio within the
`ab_tolerance` of 1 is read as the machine's noise; the spread of the per-round ratios is
shown beside each, so the reader can judge the noise of the run itself.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from ..ab.figures import AbReport, AbRow
from ..figures import WrkRun, median_run
from .tables import Lines, table


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def shown(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def geometric_mean(values: Sequence[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else math.nan


def reading(value: float | None, tolerance: float) -> str:
    if value is None:
        return "n/a"
    if value < 1 - tolerance:
        return "**A slower**"
    if value > 1 + tolerance:
        return "A faster"
    return "same"


def medians(row: AbRow) -> tuple[WrkRun, WrkRun]:
    return median_run(row.a), median_run(row.b)


def spread(row: AbRow) -> str:
    """The per-round req/s ratios' range (rounds pair A and B run back to back)."""
    ratios = [a.rps / b.rps for a, b in zip(row.a, row.b, strict=True) if b.rps]
    return f"{min(ratios):.2f} to {max(ratios):.2f}" if ratios else "n/a"


def throughput(report: AbReport) -> Lines:
    tolerance = report.targets.ab_tolerance
    rows: list[tuple[object, ...]] = []
    for row in report.rows:
        a, b = medians(row)
        rps = ratio(a.rps, b.rps)
        rows.append(
            (
                row.name,
                row.connections,
                f"{a.rps:,.0f}",
                f"{b.rps:,.0f}",
                f"**{shown(rps)}**",
                spread(row),
                shown(a.cpu_us, 0),
                shown(b.cpu_us, 0),
                shown(ratio(a.cpu_us, b.cpu_us)),
                f"{a.failed} / {b.failed}",
                reading(rps, tolerance),
            )
        )
    header = (
        "row",
        "connections",
        "A req/s",
        "B req/s",
        "req/s A/B",
        "per round",
        "A CPU µs/req",
        "B CPU µs/req",
        "CPU A/B",
        "failed A / B",
        "reading",
    )
    return ["## Throughput", "", *table(header, rows), ""]


def latency(report: AbReport) -> Lines:
    rows: list[tuple[object, ...]] = []
    for row in report.rows:
        a, b = medians(row)
        rows.append(
            (
                row.name,
                row.connections,
                f"{a.p50_ms:.2f}",
                f"{b.p50_ms:.2f}",
                shown(ratio(a.p50_ms, b.p50_ms)),
                f"{a.p99_ms:.2f}",
                f"{b.p99_ms:.2f}",
                shown(ratio(a.p99_ms, b.p99_ms)),
            )
        )
    header = (
        "row",
        "connections",
        "A p50 ms",
        "B p50 ms",
        "p50 A/B",
        "A p99 ms",
        "B p99 ms",
        "p99 A/B",
    )
    return ["## Latency", "", *table(header, rows), ""]


def verdict(report: AbReport) -> Lines:
    tolerance = report.targets.ab_tolerance
    ratios = {
        f"{row.name} ({row.connections})": r
        for row in report.rows
        if (r := ratio(*(run.rps for run in medians(row)))) is not None
    }
    cpu = [
        r for row in report.rows if (r := ratio(*(run.cpu_us for run in medians(row)))) is not None
    ]
    slower = [name for name, r in ratios.items() if r < 1 - tolerance]
    failed = sum(run.failed for row in report.rows for run in (*row.a, *row.b))
    lines = ["## Verdict", ""]
    if ratios:
        lowest = min(ratios, key=lambda name: ratios[name])
        lines.append(
            f"- req/s A/B: geometric mean **{geometric_mean(list(ratios.values())):.3f}** over "
            f"{len(ratios)} rows; lowest {ratios[lowest]:.2f} ({lowest})"
        )
        if cpu:
            lines.append(f"- CPU per request A/B: geometric mean {geometric_mean(cpu):.3f}")
        lines.append(
            f"- **A slower than B beyond the noise (±{tolerance:.0%})**: {', '.join(slower)}"
            if slower
            else f"- **no throughput loss** beyond the noise (every row within "
            f"{1 - tolerance:.2f} of B or faster)"
        )
    if failed:
        lines.append(f"- **{failed} requests failed**: the figures of those rows do not count")
    if report.startup_a and report.startup_b:
        a, b = statistics.median(report.startup_a), statistics.median(report.startup_b)
        lines.append(f"- start-up: A {a:.2f} s, B {b:.2f} s (A/B {a / b:.2f}; medians)")
    if report.idle_kib_a and report.idle_kib_b:
        lines.append(
            f"- memory after the warm-up: A {report.idle_kib_a / 1024:.1f} MiB, "
            f"B {report.idle_kib_b / 1024:.1f} MiB"
        )
    return [*lines, ""]


def markdown(report: AbReport) -> str:
    meta = report.meta
    lines = [
        f"# A/B: {report.a.label} against {report.b.label}",
        "",
        f"- date: {meta.date} UTC; machine: {meta.cores} cores ({meta.cpu}), Python "
        f"{meta.python}; load average {meta.load_average:.2f} at the start",
        f"- A: {report.a.label}, commit {report.a.commit}: {report.a.install}",
        f"- B: {report.b.label}, commit {report.b.commit}: {report.b.install}",
        f"- {report.rounds} rounds of {report.seconds:g} s per row; in each round A and B run "
        "back to back, their order alternating from round to round; medians. One stub "
        "upstream serves both; wrk, one thread, closed loop. Ratios are A / B.",
        "- CPU µs/req is the server's CPU time (utime+stime) per request: the machine's other "
        "work moves it less than req/s, so read a change in req/s against it.",
    ]
    if meta.took_min is not None:
        lines.append(f"- this run took {meta.took_min:.1f} min")
    lines += [f"- {note}" for note in report.notes]
    return "\n".join([*lines, "", *verdict(report), *throughput(report), *latency(report)]) + "\n"
