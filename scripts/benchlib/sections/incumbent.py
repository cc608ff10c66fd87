"""The incumbent in the same run: the LiteLLM proxy (one worker) and the gateway in front of
the same stub, 1 KB chat at 1 and 32 connections, rounds interleaved with direct calls."""

from __future__ import annotations

from .. import incumbent
from ..figures import Incumbent
from ..fleet import Fleet
from ..loads import chat_body, direct, measure_rounds, through, warm
from ..plan import Plan

CONNECTIONS = (1, 32)


def measure(fleet: Fleet, plan: Plan) -> Incumbent:
    assert fleet.incumbent is not None
    body = chat_body(1024)
    loads = {
        "direct": direct(fleet.stub, "/chat/completions", body),
        "gateway": through(fleet.gateway, "/chat/completions", body),
        "litellm": through(fleet.incumbent, "/chat/completions", body),
    }
    warm(loads)
    runs = measure_rounds(loads, CONNECTIONS, plan.rounds, plan.seconds)
    ordered = tuple(sorted(runs, key=lambda entry: entry.connections))
    return Incumbent(incumbent.REQUIREMENT, plan.rounds, ordered)
