"""The ledger at the end of a soak: flushed (each gateway's `/metrics` says it has counted
every request it answered and holds no row unwritten), then its rows counted per key's name
straight from its table (SQLite file or PostgreSQL)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence

import aiohttp

from .soak_held import scraped
from .soak_load import Target

FLUSH_SECONDS = 120.0  # far past the writer's 1 s flush: a ledger not flushed by then is stuck
COUNT_BY_KEY = "SELECT key_name, count(*) FROM ledger GROUP BY key_name"


async def counted(session: aiohttp.ClientSession, url: str) -> tuple[float, float]:
    """The gateway's requests counted and its ledger rows not yet written, from `/metrics`."""
    sums = await scraped(session, url)
    return sums.get("gateway_requests_total", 0.0), sums.get("gateway_ledger_rows_buffered", 0.0)


async def flushed(targets: Sequence[Target]) -> list[str]:
    """Wait until every gateway has counted what it answered and written its ledger; what
    did not by FLUSH_SECONDS, said (empty: all flushed)."""
    deadline = time.monotonic() + FLUSH_SECONDS
    async with aiohttp.ClientSession() as session:
        for target in targets:
            served, pending = await counted(session, target.url)
            while (served < target.answered or pending) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)  # polling the gateway's own signal: its metrics
                served, pending = await counted(session, target.url)
            if served < target.answered or pending:
                return [
                    f"{target.url}: ledger not flushed in {FLUSH_SECONDS:.0f} s ({served:.0f} "
                    f"of {target.answered} requests counted, {pending:.0f} rows pending)"
                ]
    return []


def rows_in_sqlite(path: str) -> Counter[str]:
    with sqlite3.connect(path) as connection:
        return Counter({str(name): n for name, n in connection.execute(COUNT_BY_KEY)})


def rows_in_postgres(url: str) -> Counter[str]:
    import psycopg  # the gateway's own driver; only the two-replica run needs it

    with psycopg.connect(url) as connection:
        return Counter({str(name): n for name, n in connection.execute(COUNT_BY_KEY)})
