"""The performance budget a run is read against, as data.

A run stores the `Targets` it was read against beside its figures (`results.json`), so a
report rendered again later is judged by the budget of its day, and a new budget is a
new value here, not constants edited across the sections.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Targets:
    """What the gateway should cost, and how much an A/B difference must be to count."""

    # The gateway's req/s as a share of the floor's: 32 connections, 1 KB chat.
    floor_share: float = 0.75
    # Added p50 over a direct call to the stub: one connection, 1 KB chat.
    added_p50_ms: float = 1.0
    # Added to the p99 gap between a stream's chunks, many streams open at once.
    stream_gap_ms: float = 20.0
    # Gateway memory per open stream.
    stream_kib: float = 40.0
    # The ledger's server CPU per request, 32 connections (with it writing vs writing nowhere).
    ledger_cpu_us: float = 100.0
    # A usage report over a million ledger rows, on SQLite and on PostgreSQL.
    report_ms: float = 200.0
    # A dashboard page's server time (its queries and rendering) over a million ledger rows.
    page_ms: float = 100.0
    # Embeddings, 256 inputs of 1,536 dimensions: added p50 over direct, one connection; and
    # linear growth: each vector's added cost from 256 to 1,024 inputs within this many times
    # its cost from 16 to 256.
    embeddings_added_ms: float = 5.0
    embeddings_linearity: float = 1.5
    # A newer feature's server CPU per request (ledger, budgets, Gemini translation, ...).
    feature_cpu_us: float = 300.0
    # The incumbent (the LiteLLM proxy, one worker) in the same run, 1 KB chat: the gateway's
    # req/s at 32 connections at least this many times its, and the gateway's added p50 at one
    # connection at most this share of its.
    incumbent_rps_times: float = 15.0
    incumbent_added_share: float = 0.1
    # The first second of load on a gateway that has just said it is healthy: its p99 at
    # most this many times the same gateway's once warm (32 connections, 1 KB chat).
    first_second_times: float = 2.0
    # A process's RSS with every surface loaded: idle, and after load.
    idle_mib: float = 150.0
    loaded_mib: float = 200.0
    # A/B: a ratio within 1 ± this is read as the machine's noise, not a change.
    ab_tolerance: float = 0.05


DEFAULT = Targets()
