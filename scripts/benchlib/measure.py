"""A full run: start the fleet, run the chosen sections in order, collect their figures.

Each section returns its own figures into its own field of the `Report`; what one section
needs of another (the tails' rate is half the gateway's closed-loop rate) is handed to it as
an argument, not left in a shared bag for it to find.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from . import incumbent, startup
from .figures import Incumbent, Report
from .fleet import Fleet, fleet
from .loads import chat_body, through
from .plan import Plan
from .sections import (
    dashboard,
    embeddings,
    features,
    first_second,
    headline,
    instances,
    ledger,
    memory,
    meta,
    priced,
    profile,
    sizes,
    streams,
    surfaces,
    tails,
    websocket,
)
from .sections import (
    incumbent as incumbent_section,
)
from .variants import VARIANTS
from .wrk import wrk

T = TypeVar("T")
SECTIONS = (
    "headline",
    "surfaces",
    "features",
    "sizes",
    "embeddings",
    "tails",
    "profile",
    "streams",
    "ledger",
    "dashboard",
    "instances",
    "incumbent",
    "priced",
    "websocket",
    "first_second",
    "memory",
)
STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


def when(chosen: Collection[str], name: str, section: Callable[[], T]) -> T | None:
    """The section's figures, if it was chosen."""
    if name not in chosen:
        return None
    figures = section()
    progress(f"{name} done")
    return figures


def measure(plan: Plan, only: Collection[str] = SECTIONS) -> Report:
    """The figures of the sections in `only`, in the report's order. Features: the full run
    only (it starts ten more gateways); the ledger's cost needs one of them."""
    began = time.monotonic()
    chosen = set(only)
    report = Report(meta.start(plan.quick))
    if chosen - {"instances", "dashboard"}:  # those two start no gateway
        variants = set(VARIANTS) if "features" in chosen and not plan.quick else set()
        variants |= {"no-ledger"} if "ledger" in chosen else set()
        variants |= {"all-on", "budgets-redis"} if "priced" in chosen else set()
        litellm = incumbent.installed() if "incumbent" in chosen else None
        if isinstance(litellm, str):
            report = replace(report, incumbent=Incumbent(incumbent.REQUIREMENT, skipped=litellm))
        command = litellm if isinstance(litellm, Path) else None
        with fleet(plan, variants, command) as servers:
            progress("servers up")
            report = served(report, servers, plan, chosen)
    report = replace(report, dashboard=when(chosen, "dashboard", lambda: dashboard.measure(plan)))
    report = replace(report, instances=when(chosen, "instances", lambda: instances.measure(plan)))
    took = (time.monotonic() - began) / 60
    return replace(
        report,
        meta=replace(
            report.meta, startup_s=startup.seconds_if_timed(sys.executable), took_min=took
        ),
    )


def served(report: Report, servers: Fleet, plan: Plan, chosen: Collection[str]) -> Report:
    """The sections that measure servers, with the fleet up."""

    def section(name: str, measured: Callable[[], T]) -> T | None:
        return when(chosen, name, measured)

    report = replace(report, headline=section("headline", lambda: headline.measure(servers, plan)))
    report = replace(report, surfaces=section("surfaces", lambda: surfaces.measure(servers, plan)))
    if servers.variants.keys() == set(VARIANTS):
        report = replace(
            report, features=section("features", lambda: features.measure(servers, plan))
        )
    report = replace(report, sizes=section("sizes", lambda: sizes.measure(servers, plan)))
    report = replace(
        report, embeddings=section("embeddings", lambda: embeddings.measure(servers, plan))
    )
    rate = gateway_rps(report, servers) if "tails" in chosen else 0.0
    report = replace(report, tails=section("tails", lambda: tails.measure(servers, plan, rate)))
    report = replace(report, profile=section("profile", lambda: profile.measure(servers, plan)))
    report = replace(report, streams=section("streams", lambda: streams.measure(servers, plan)))
    report = replace(report, ledger=section("ledger", lambda: ledger.measure(servers, plan)))
    report = replace(report, priced=section("priced", lambda: priced.measure(servers, plan)))
    report = replace(
        report, websocket=section("websocket", lambda: websocket.measure(servers, plan))
    )
    report = replace(
        report, first_second=section("first_second", lambda: first_second.measure(servers, plan))
    )
    report = replace(report, memory=section("memory", lambda: memory.measure(servers, plan)))
    if servers.incumbent is not None:
        measured = section("incumbent", lambda: incumbent_section.measure(servers, plan))
        report = replace(report, incumbent=measured)
    return report


def gateway_rps(report: Report, servers: Fleet) -> float:
    """The gateway's closed-loop rate at 32 connections: the headline's, or one short run."""
    if report.headline is not None:
        return report.headline.run("gateway", 32).rps
    return wrk(through(servers.gateway, "/chat/completions", chat_body(1024)), 32, 1).rps
