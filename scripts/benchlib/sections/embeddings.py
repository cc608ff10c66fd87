"""Embeddings of 1,536 dimensions, direct and through the gateway: 16 to 1,024 inputs at one
connection (what each vector adds), and 256 at eight."""

from __future__ import annotations

from ..figures import Embeddings, EmbeddingsRow, find
from ..fleet import Fleet
from ..loads import EMBEDDING_INPUTS, direct, embeddings_body, measure_rounds, through, warm
from ..plan import Plan
from ..stub import EMBEDDING_DIMENSIONS

# (inputs, connections): the headline count at both connection counts.
POINTS = ((16, 1), (64, 1), (EMBEDDING_INPUTS, 1), (1024, 1), (EMBEDDING_INPUTS, 8))


def measure(fleet: Fleet, plan: Plan) -> Embeddings:
    rows = []
    for inputs in dict.fromkeys(count for count, _ in POINTS):
        body = embeddings_body(inputs)
        loads = {
            "direct": direct(fleet.stub, "/embeddings", body),
            "gateway": through(fleet.gateway, "/embeddings", body),
        }
        warm(loads)
        connections = tuple(n for count, n in POINTS if count == inputs)
        runs = measure_rounds(loads, connections, 1, plan.seconds)
        rows += [
            EmbeddingsRow(n, find(runs, "direct", n), find(runs, "gateway", n), inputs)
            for n in connections
        ]
    return Embeddings(EMBEDDING_INPUTS, EMBEDDING_DIMENSIONS, tuple(rows))
