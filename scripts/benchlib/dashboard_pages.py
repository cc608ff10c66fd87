"""The dashboard's pages over a filled ledger (`ledger_reports`' million generated rows, on
SQLite and on PostgreSQL), each timed as the server spends it: its queries through the
gateway's own code (`surfaces.dashboard.pages`) and its template rendered, at a moment
inside the generated month (its "today" and "last hour" are full of rows).

The accounts and models pages read no ledger row (the upstream's report and catalogue): they
are not timed here.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from . import internals
from .cli import ROOT
from .figures import PageTiming
from .ledger_reports import START, filled
from .scratch import subdirectory

NOW = START + timedelta(days=20, hours=12, minutes=30)  # the page's "now", inside the month
KEYS_MADE = 50  # runtime keys named as the ledger's (`key-N`): their spend is found
Page = Callable[[], Awaitable[tuple[str, dict[str, Any]]]]


async def _keys(url: str) -> Any:
    """The key admin of this database, with the runtime keys the keys page lists."""
    database = internals.resolve("StateDatabase")(url)
    admin = internals.resolve("KeyAdmin")(database, [])
    for number in range(KEYS_MADE):
        await admin.create(f"key-{number}", {"credits_per_day": 50, "credits_per_month": 500})
    return admin


def pages(engine: Any, admin: Any, rows: int) -> dict[str, Page]:
    """Each page timed: its name, and what it does (its template and context)."""
    overview = internals.resolve("dashboard_overview")
    keys = internals.resolve("dashboard_keys")
    requests = internals.resolve("dashboard_requests")
    one = internals.resolve("dashboard_request")
    filters = internals.resolve("ledger_filters")

    def listing(**asked: str) -> Page:
        async def page() -> tuple[str, dict[str, Any]]:
            return "requests.html", await requests(engine, filters(**asked), None)

        return page

    async def overview_page() -> tuple[str, dict[str, Any]]:
        return "overview.html", await overview(engine, NOW)

    async def keys_page() -> tuple[str, dict[str, Any]]:
        return "keys.html", {"keys": await keys(admin, engine, NOW), "csrf": "x"}

    async def request_page() -> tuple[str, dict[str, Any]]:
        return "request.html", {"row": await one(engine, rows // 2)}

    return {
        "overview": overview_page,
        "keys": keys_page,
        "requests": listing(),
        "requests (key)": listing(key="key-7"),
        "requests (model)": listing(model="model-3"),
        "requests (client)": listing(client="client-2"),
        "requests (errors)": listing(status="errors"),
        "requests (model and errors)": listing(model="model-3", status="429"),
        "requests (a model never served)": listing(model="no-such-model"),
        "one request": request_page,
    }


async def timings(database: str, url: str, rows: int, repeats: int) -> list[PageTiming]:
    html = internals.resolve("dashboard_html")
    engine, _ = await filled(url, rows)
    admin = await _keys(url)
    measured = []
    try:
        for name, page in pages(engine, admin, rows).items():
            taken = []
            for attempt in range(repeats + 1):  # the first: the connection and caches warm
                started = time.perf_counter()
                template, context = await page()
                html(template, {"tab": "requests", "csrf": "x", **context})
                if attempt:
                    taken.append((time.perf_counter() - started) * 1000)
            measured.append(PageTiming(database, name, statistics.median(taken)))
    finally:
        await admin.database.aclose()
        await engine.dispose()
    return measured


def measure(rows: int, repeats: int) -> list[PageTiming]:
    """Every page on SQLite, then on PostgreSQL."""
    sqlite_url = f"sqlite+aiosqlite:///{subdirectory('dashboard') / 'ledger.sqlite3'}"
    measured = asyncio.run(timings("sqlite", sqlite_url, rows, repeats))
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_server import running_postgres

    with running_postgres() as server:
        url = server.url().replace("postgresql://", "postgresql+psycopg://")
        measured += asyncio.run(timings("postgresql", url, rows, repeats))
    return measured
