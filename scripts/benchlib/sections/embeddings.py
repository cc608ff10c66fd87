"""Embeddings: 256 inputs of 1,536 dimensions, direct and through the gateway."""

from __future__ import annotations

from ..figures import Embeddings, EmbeddingsRow, find
from ..fleet import Fleet
from ..loads import EMBEDDING_INPUTS, EMBEDDINGS_BODY, direct, measure_rounds, through
from ..plan import Plan
from ..stub import EMBEDDING_DIMENSIONS

CONNECTIONS = (1, 8)


def measure(fleet: Fleet, plan: Plan) -> Embeddings:
    loads = {
        "direct": direct(fleet.stub, "/embeddings", EMBEDDINGS_BODY),
        "gateway": through(fleet.gateway, "/embeddings", EMBEDDINGS_BODY),
    }
    runs = measure_rounds(loads, CONNECTIONS, 1, plan.seconds)
    rows = tuple(
        EmbeddingsRow(count, find(runs, "direct", count), find(runs, "gateway", count))
        for count in CONNECTIONS
    )
    return Embeddings(EMBEDDING_INPUTS, EMBEDDING_DIMENSIONS, rows)
