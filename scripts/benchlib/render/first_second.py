"""The first second of a gateway that has just said it is healthy, against it once warm."""

from __future__ import annotations

from ..figures import FirstSecond, WrkRun
from ..targets import Targets
from .tables import Lines, met, table


def target_rows(figures: FirstSecond | None, targets: Targets) -> list[tuple[object, ...]]:
    if figures is None:
        return []
    times = figures.times_warm_p99
    return [
        (
            f"healthy means warm: the first second's p99 ≤ {targets.first_second_times:g} times "
            "the warm p99, 32 connections, 1 KB chat",
            f"{times:.2f} times ({figures.first.p99_ms:.1f} vs {figures.warm.p99_ms:.1f} ms)",
            met(times <= targets.first_second_times),
        )
    ]


def section(figures: FirstSecond) -> Lines:
    def cells(name: str, run: WrkRun) -> tuple[object, ...]:
        return (
            name,
            f"{run.rps:,.0f}",
            f"{run.p50_ms:.2f}",
            f"{run.p99_ms:.2f}",
            f"{run.p999_ms:.2f}",
            run.failed,
        )

    rows = [cells("the first second", figures.first), cells("warm", figures.warm)]
    return [
        "## The first second after healthy",
        "",
        f"{figures.starts} fresh gateways, each loaded at 32 connections (1 KB chat) the "
        "moment `/healthz` answered, for one second; then, once warmed by a run of its own, "
        f"the same load again; medians over the starts. Healthy {figures.healthy_after_s:.2f} s "
        f"after the process started; the first request of one more fresh gateway, alone: "
        f"{figures.first_request_ms:.1f} ms.",
        "",
        *table(("load", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "failed"), rows),
        "",
    ]
