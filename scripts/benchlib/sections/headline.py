"""Chat, 1 KB: direct, the floor, the gateway (and `--workers 2`), at 1 and 32 connections."""

from __future__ import annotations

from ..figures import Headline
from ..fleet import Fleet
from ..loads import JSON, chat_body, direct, measure_rounds, through, warm
from ..plan import Plan

CONNECTIONS = (1, 32)


def measure(fleet: Fleet, plan: Plan) -> Headline:
    body = chat_body(1024)
    loads = {
        "direct": direct(fleet.stub, "/chat/completions", body),
        "floor": through(fleet.floor, "/chat/completions", body, JSON),
        "gateway": through(fleet.gateway, "/chat/completions", body),
    }
    if fleet.two_workers:
        loads["gateway --workers 2"] = through(fleet.two_workers, "/chat/completions", body)
    warm(loads)
    runs = measure_rounds(loads, CONNECTIONS, plan.rounds, plan.seconds)
    ordered = tuple(sorted(runs, key=lambda entry: entry.connections))
    return Headline(plan.rounds, plan.seconds, ordered, workers=fleet.two_workers is not None)
