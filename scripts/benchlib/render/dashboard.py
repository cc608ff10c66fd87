"""The dashboard's section: each page's server time over the filled ledger."""

from __future__ import annotations

from ..figures import DashboardFigures
from ..targets import Targets
from .tables import Lines, met, table

HEADING = "## The dashboard's pages"
DATABASES = ("sqlite", "postgresql")


def target_rows(figures: DashboardFigures | None, targets: Targets) -> list[tuple[object, ...]]:
    if figures is None:
        return []
    rows: list[tuple[object, ...]] = []
    for database in DATABASES:
        slowest = figures.slowest(database)
        rows.append(
            (
                f"dashboard page over {figures.rows:,} ledger rows < {targets.page_ms:g} ms "
                f"server time, {database} (the slowest: {slowest.page})",
                f"{slowest.median_ms:.1f} ms",
                met(slowest.median_ms < targets.page_ms)
                if figures.rows >= 1_000_000
                else "context",
            )
        )
    return rows


def section(figures: DashboardFigures) -> Lines:
    rows: list[tuple[object, ...]] = [
        (timing.database, timing.page, f"{timing.median_ms:.1f}") for timing in figures.pages
    ]
    return [
        HEADING,
        "",
        f"Each page over {figures.rows:,} generated ledger rows (the usage reports' month, "
        "above), as the server spends it: its queries (`surfaces.dashboard.pages`) and its "
        "template rendered, at a moment inside the month; the median of repeated runs on a "
        "warm connection. The requests page is timed unfiltered and with each filter, a "
        "model never served included (the rollup says no hour holds it: nothing is read). "
        "The accounts and models pages read no ledger row.",
        "",
        *table(("database", "page", "ms"), rows),
        "",
    ]
