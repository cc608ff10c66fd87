"""An A/B run: the working tree's gateway (A) and another revision's (B) on one stub upstream,
every row on both sides in each round, the order of the two alternating from round to round
(A B, then B A, ...), so that drift in the machine's load falls on both sides alike.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .. import startup
from ..figures import WrkRun
from ..loads import through, warm
from ..procs import rss_kib
from ..sections import meta
from ..servers import Server, ServerSpec, gateway, servers, stub
from ..wrk import Load, wrk
from .checkout import Checkout, checkout
from .figures import AbReport, AbRow, Side
from .rows import AbLoad

STARTED = time.monotonic()


@dataclass(frozen=True)
class AbPlan:
    quick: bool
    rounds: int
    seconds: float

    @classmethod
    def of(cls, quick: bool) -> AbPlan:
        return cls(True, 3, 2) if quick else cls(False, 5, 4)


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


def gateways(upstream: str, python: str, side: str, translating: bool) -> dict[str, ServerSpec]:
    specs = {f"{side} gateway": gateway(upstream, f"{side}-gateway", python=python)}
    if translating:
        specs[f"{side} translating"] = gateway(
            upstream, f"{side}-translating", python=python, GATEWAY_UPSTREAM_RESPONSES="translate"
        )
    return specs


def load_of(row: AbLoad, started: dict[str, Server], side: str) -> Load:
    server = started[f"{side} translating" if row.translating else f"{side} gateway"]
    return through(server, row.path, row.body, row.headers)


def order(round_index: int) -> tuple[str, str]:
    return ("a", "b") if round_index % 2 == 0 else ("b", "a")


def rounds(rows: Sequence[AbLoad], started: dict[str, Server], plan: AbPlan) -> tuple[AbRow, ...]:
    """Every row at each of its connection counts, A and B back to back, `plan.rounds` times."""
    points = [(row, count) for row in rows for count in (row.quick if plan.quick else row.full)]
    runs: dict[tuple[str, int, str], list[WrkRun]] = {}
    for index in range(plan.rounds):
        for row, count in points:
            for side in order(index):
                run = wrk(load_of(row, started, side), count, plan.seconds)
                runs.setdefault((row.name, count, side), []).append(run)
        progress(f"round {index + 1} of {plan.rounds} done")
    return tuple(
        AbRow(row.name, count, tuple(runs[row.name, count, "a"]), tuple(runs[row.name, count, "b"]))
        for row, count in points
    )


def startups(other: Checkout, plan: AbPlan) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each side's start-up, as many times as rounds, alternating (with no server running)."""
    pythons = {"a": sys.executable, "b": other.python}
    times: dict[str, list[float]] = {"a": [], "b": []}
    for index in range(plan.rounds):
        for side in order(index):
            timed = startup.seconds_if_timed(pythons[side])
            if timed is not None:
                times[side].append(timed)
    return tuple(times["a"]), tuple(times["b"])


def measure(
    revision: str, plan: AbPlan, rows: Sequence[AbLoad], uv: Path | None = None
) -> AbReport:
    began = time.monotonic()
    started_meta = meta.start(plan.quick)
    translating = any(row.translating for row in rows)
    with checkout(revision, uv) as other:
        progress(f"{revision} ({other.commit}) installed")
        with servers({"stub": stub()}) as stubs:
            url = stubs["stub"].url
            specs = gateways(url, sys.executable, "a", translating)
            specs |= gateways(url, other.python, "b", translating)
            with servers(specs) as started:
                progress("servers up")
                warm(
                    {
                        f"{side} {row.name}": load_of(row, started, side)
                        for row in rows
                        for side in "ab"
                    }
                )
                idle = {side: rss_kib(started[f"{side} gateway"].pid) for side in "ab"}
                measured = rounds(rows, started, plan)
        startup_a, startup_b = startups(other, plan)
    a = Side("working tree", started_meta.commit, "the working tree's .venv (editable)")
    b = Side(revision, other.commit, other.install)
    took = (time.monotonic() - began) / 60
    return AbReport(
        meta=replace(started_meta, took_min=took),
        a=a,
        b=b,
        rounds=plan.rounds,
        seconds=plan.seconds,
        rows=measured,
        startup_a=startup_a,
        startup_b=startup_b,
        idle_kib_a=idle["a"],
        idle_kib_b=idle["b"],
        notes=()
        if startup_a and startup_b
        else ("start-up not timed on both sides (stderr says why)",),
    )
