"""Where a gateway's memory goes, and a fresh process's RSS against its targets."""

from __future__ import annotations

from ..figures import Memory
from ..targets import Targets
from .tables import Lines, met, table


def target_rows(figures: Memory | None, targets: Targets) -> list[tuple[object, ...]]:
    if figures is None:
        return []
    return [
        (
            f"memory ≤ {targets.idle_mib:g} MiB RSS idle, every surface loaded",
            f"{figures.every_surface_mib:.0f} MiB",
            met(figures.every_surface_mib <= targets.idle_mib),
        ),
        (
            f"memory ≤ {targets.loaded_mib:g} MiB RSS after load on every surface",
            f"{figures.loaded_mib:.0f} MiB (after {figures.load_seconds:g} s)",
            met(figures.loaded_mib <= targets.loaded_mib),
        ),
    ]


def section(figures: Memory) -> Lines:
    rows: list[tuple[object, ...]] = []
    before = 0.0
    for step in figures.steps:
        rows.append((step.name, f"{step.mib - before:+.1f}", f"{step.mib:.1f}"))
        before = step.mib
    process: list[tuple[object, ...]] = [
        ("healthy, idle", f"{figures.idle_mib:.1f}"),
        ("after one request on every surface", f"{figures.every_surface_mib:.1f}"),
        (
            f"after {figures.load_seconds:g} s of load on every surface at once",
            f"{figures.loaded_mib:.1f}",
        ),
    ]
    return [
        "## Where the memory goes",
        "",
        "A gateway's start, step by step in a fresh interpreter (RSS after each, garbage "
        "collected):",
        "",
        *table(("step", "MiB added", "RSS MiB"), rows),
        "",
        "A fresh `serve` process on the stub (chat plain and streamed, embeddings, Responses, "
        "Messages and Gemini, 4 connections each during the load):",
        "",
        *table(("the process", "RSS MiB"), process),
        "",
    ]
