"""The dashboard: each page's server time over a million ledger rows, on SQLite and on
PostgreSQL (`dashboard_pages`)."""

from __future__ import annotations

from .. import dashboard_pages
from ..figures import DashboardFigures
from ..plan import Plan
from .ledger import QUICK_ROWS, ROWS


def measure(plan: Plan) -> DashboardFigures:
    rows = QUICK_ROWS if plan.quick else ROWS
    return DashboardFigures(rows, tuple(dashboard_pages.measure(rows, 3 if plan.quick else 7)))
