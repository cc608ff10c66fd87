"""The ledger's section: its CPU per request, and each usage report's time over its rows."""

from __future__ import annotations

from ..figures import LedgerFigures
from ..targets import Targets
from .tables import Lines, cpu_us, met, table

HEADING = "## The ledger and its reports"
DATABASES = ("sqlite", "postgresql")


def target_rows(figures: LedgerFigures | None, targets: Targets) -> list[tuple[object, ...]]:
    if figures is None:
        return []
    cost = figures.cost_us
    rows: list[tuple[object, ...]] = [
        (
            f"ledger ≤ {targets.ledger_cpu_us / 1000:g} ms server CPU per request, 32 connections",
            "n/a" if cost is None else f"{cost:+.0f} µs",
            "n/a" if cost is None else met(cost <= targets.ledger_cpu_us),
        )
    ]
    for database in DATABASES:
        slowest = figures.slowest_ms(database)
        rows.append(
            (
                f"usage report over {figures.rows:,} ledger rows < {targets.report_ms:g} ms, "
                f"{database} (the slowest grouping)",
                f"{slowest:.1f} ms",
                met(slowest < targets.report_ms) if figures.rows >= 1_000_000 else "context",
            )
        )
    return rows


def section(figures: LedgerFigures) -> Lines:
    on, off = figures.ledger_on, figures.ledger_off
    cost = figures.cost_us
    cpu_rows: list[tuple[object, ...]] = [
        ("ledger on (as `serve`: SQLite)", f"{on.rps:,.0f}", cpu_us(on), on.failed),
        ("ledger off (rows noted nowhere)", f"{off.rps:,.0f}", cpu_us(off), off.failed),
    ]
    report_rows: list[tuple[object, ...]] = [
        (
            timing.database,
            timing.group_by,
            timing.span,
            f"{timing.median_ms:.1f}",
            timing.groups,
        )
        for timing in figures.reports
    ]
    fills = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in figures.fill_s.items())
    return [
        HEADING,
        "",
        "The gateway as `serve` runs it (its ledger writing to SQLite, in its own process) "
        "against the same gateway with the ledger's rows noted nowhere, 1 KB chat at 32 "
        "connections, rounds interleaved, medians: the ledger's cost is the difference in "
        f"server CPU per request: **{'n/a' if cost is None else f'{cost:+.0f} µs'}**.",
        "",
        *table(("gateway", "req/s", "CPU µs/request", "failed"), cpu_rows),
        "",
        f"Each usage report (`state.ledger.reports`, one query) over {figures.rows:,} "
        "generated ledger rows (a month, 300 keys, 30 models, 4 accounts, 6 clients; 2% "
        "errors, 5% of unknown cost), the median of repeated runs on a warm connection. "
        "'every row': no range; 'cut mid-hour': from a day and 17 minutes in to 29 days and "
        "41 minutes in, so the ledger's own rows are read at either end beside the rollup. "
        f"Generating and rolling up the rows took {fills}.",
        "",
        *table(("database", "group by", "range", "ms", "groups"), report_rows),
        "",
    ]
