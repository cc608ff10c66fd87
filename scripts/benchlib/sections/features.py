"""What each feature costs: the gateway with one feature off (or on), 1 KB chat, 32 connections."""

from __future__ import annotations

from ..figures import FeatureRow, Features, find
from ..fleet import Fleet
from ..loads import chat_body, measure_rounds, through, warm
from ..plan import Plan
from ..variants import VARIANTS


def measure(fleet: Fleet, plan: Plan) -> Features:
    body = chat_body(1024)
    loads = {name: through(fleet.variants[name], "/chat/completions", body) for name in VARIANTS}
    warm(loads)
    runs = measure_rounds(loads, (32,), 1 if plan.quick else plan.rounds, plan.seconds)
    return Features(
        tuple(
            FeatureRow(name, variant.description, variant.switches_on, find(runs, name, 32))
            for name, variant in VARIANTS.items()
        )
    )
