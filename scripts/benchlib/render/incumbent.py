"""The incumbent's section: the gateway beside the LiteLLM proxy, and the two targets."""

from __future__ import annotations

from ..figures import Incumbent
from ..targets import Targets
from .tables import Lines, cpu_us, met, table

NAMES = ("direct", "gateway", "litellm")


def added_p50(figures: Incumbent, name: str) -> float:
    return figures.run(name, 1).p50_ms - figures.run("direct", 1).p50_ms


def target_rows(figures: Incumbent | None, targets: Targets) -> list[tuple[object, ...]]:
    if figures is None:
        return []
    if figures.skipped:
        return [("the incumbent (LiteLLM) in the same run", figures.skipped, "not measured")]
    times = figures.run("gateway", 32).rps / figures.run("litellm", 32).rps
    ours, theirs = added_p50(figures, "gateway"), added_p50(figures, "litellm")
    return [
        (
            f"gateway ≥ {targets.incumbent_rps_times:g} times LiteLLM's req/s, 32 connections",
            f"{times:.1f} times ({figures.run('gateway', 32).rps:,.0f} / "
            f"{figures.run('litellm', 32).rps:,.0f} req/s)",
            met(times >= targets.incumbent_rps_times),
        ),
        (
            f"gateway's added p50 ≤ {targets.incumbent_added_share:g} times LiteLLM's, "
            "one connection",
            f"{ours / theirs:.3f} times ({ours:.2f} / {theirs:.2f} ms)" if theirs > 0 else "n/a",
            met(theirs > 0 and ours <= targets.incumbent_added_share * theirs),
        ),
    ]


def section(figures: Incumbent) -> Lines:
    heading = "## The incumbent: the LiteLLM proxy in the same run"
    if figures.skipped:
        return [heading, "", f"Not measured: {figures.skipped}", ""]
    rows: list[tuple[object, ...]] = []
    for count in (1, 32):
        for name in NAMES:
            run = figures.run(name, count)
            added = run.p50_ms - figures.run("direct", count).p50_ms
            rows.append(
                (
                    name,
                    count,
                    f"{run.rps:,.0f}",
                    cpu_us(run),
                    f"{run.p50_ms:.2f}",
                    f"{run.p99_ms:.2f}",
                    "" if name == "direct" else f"{added:.2f}",
                    run.failed,
                )
            )
    header = (
        "target",
        "connections",
        "req/s",
        "CPU µs/request",
        "p50 ms",
        "p99 ms",
        "added p50 ms",
        "failed",
    )
    return [
        heading,
        "",
        f"`{figures.requirement}` from the package registry, in a venv of its own (the "
        "bench's cache), one worker, its model list pointing at the same stub, its master key "
        "checked; the gateway as `serve` runs it. 1 KB chat, wrk, "
        f"{figures.rounds} rounds interleaved, medians.",
        "",
        *table(header, rows),
        "",
    ]
