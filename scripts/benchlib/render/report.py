"""A full run's markdown (`results.md`): the header, the targets, then each section measured."""

from __future__ import annotations

from ..figures import Meta, Report
from . import (
    clients,
    closed,
    dashboard,
    first_second,
    incumbent,
    inside,
    ledger,
    memory,
    priced,
    websocket,
)
from .summary import summary
from .tables import Lines


def header(meta: Meta) -> Lines:
    lines = [
        "# Benchmark results",
        "",
        f"- date: {meta.date} UTC; commit {meta.commit}",
        f"- machine: {meta.cores} cores ({meta.cpu}), Python {meta.python}; "
        f"load average {meta.load_average:.2f} at the start",
        "- stub upstream, floor, gateway and wrk: separate processes on loopback, sharing "
        "the cores",
    ]
    if meta.startup_s is not None:
        lines.append(
            f"- gateway start-up (spec loaded, validators compiled): {meta.startup_s:.2f} s"
        )
    if meta.took_min is not None:
        lines.append(f"- this run took {meta.took_min:.1f} min")
    return [*lines, ""]


def sections(report: Report) -> Lines:
    floor_rps = report.headline.run("floor", 32).rps if report.headline else None
    lines: Lines = []
    if report.headline:
        lines += closed.headline(report.headline)
    if report.surfaces:
        lines += closed.surfaces(report.surfaces, floor_rps, report.targets)
    lines += closed.features(report.features, report.meta.quick)
    if report.sizes:
        lines += closed.sizes(report.sizes)
    if report.embeddings:
        lines += closed.embeddings(report.embeddings)
    if report.tails:
        lines += clients.tails(report.tails)
    if report.profile:
        lines += inside.profile(report.profile)
    if report.streams:
        lines += clients.streams(report.streams)
    if report.ledger:
        lines += ledger.section(report.ledger)
    if report.websocket:
        lines += websocket.section(report.websocket)
    if report.first_second:
        lines += first_second.section(report.first_second)
    if report.memory:
        lines += memory.section(report.memory)
    if report.dashboard:
        lines += dashboard.section(report.dashboard)
    if report.priced:
        lines += priced.section(report.priced)
    if report.instances:
        lines += inside.instances(report.instances)
    if report.incumbent:
        lines += incumbent.section(report.incumbent)
    return lines


def markdown(report: Report) -> str:
    return "\n".join([*header(report.meta), *summary(report), *sections(report)]) + "\n"
