"""Chat body sizes: direct, the floor and the gateway, one round each, interleaved."""

from __future__ import annotations

from ..figures import SizeRow, Sizes, find
from ..fleet import Fleet
from ..loads import JSON, chat_body, direct, measure_rounds, through
from ..plan import Plan

SIZES = ((16 * 1024, "16 KB"), (256 * 1024, "256 KB"), (1024 * 1024, "1 MB"))


def measure(fleet: Fleet, plan: Plan) -> Sizes:
    chosen = SIZES[::2] if plan.quick else SIZES  # 16 KB and 1 MB
    rows: list[SizeRow] = []
    for size, label in chosen:
        body = chat_body(size)
        loads = {
            "direct": direct(fleet.stub, "/chat/completions", body),
            "floor": through(fleet.floor, "/chat/completions", body, JSON),
            "gateway": through(fleet.gateway, "/chat/completions", body),
        }
        runs = measure_rounds(loads, (1, 32), 1, plan.seconds)
        rows += [
            SizeRow(label, count, *(find(runs, name, count) for name in loads)) for count in (1, 32)
        ]
    return Sizes(tuple(rows))
