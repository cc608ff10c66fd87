"""The ledger: its server CPU per request at 32 connections (the gateway with its ledger
writing against the same with rows noted nowhere, rounds interleaved), and the usage
reports over a million ledger rows on SQLite and on PostgreSQL (`ledger_reports`)."""

from __future__ import annotations

from .. import ledger_reports
from ..figures import LedgerFigures, find
from ..fleet import Fleet
from ..loads import chat_body, measure_rounds, through, warm
from ..plan import Plan

ROWS, QUICK_ROWS = 1_000_000, 200_000


def measure(fleet: Fleet, plan: Plan) -> LedgerFigures:
    body = chat_body(1024)
    loads = {
        "ledger on": through(fleet.gateway, "/chat/completions", body),
        "ledger off": through(fleet.variants["no-ledger"], "/chat/completions", body),
    }
    warm(loads)
    # More rounds than elsewhere: the cost is a difference of two CPU figures.
    runs = measure_rounds(loads, (32,), plan.rounds * 2, plan.seconds)
    rows = QUICK_ROWS if plan.quick else ROWS
    reports, fill_s = ledger_reports.measure(rows, 3 if plan.quick else 7)
    return LedgerFigures(
        ledger_on=find(runs, "ledger on", 32),
        ledger_off=find(runs, "ledger off", 32),
        rows=rows,
        fill_s=fill_s,
        reports=tuple(reports),
    )
