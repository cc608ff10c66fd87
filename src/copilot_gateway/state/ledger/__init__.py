"""The ledger: one row per request (who, which model, how it was served, what it cost), in
a real database: SQLite by default, PostgreSQL when `GATEWAY_DATABASE_URL` is set, through
one code path (SQLAlchemy), its schema migrated by alembic at start-up.

    request ends ─► Ledger.note (a row into a bounded buffer; never waits)
                 ─► the writer task: every `ledger_flush_seconds`, or a batch's worth sooner,
                    one INSERT per batch; the database unreachable: rows kept (up to the
                    bound, the rest dropped and counted) and written once it is back
    shutdown     ─► what is left, written

`table` is the schema, `rows` what a request's record becomes, `writer` the buffer and its
task, `retention` old rows' purge; the engine and the migrations are the state's own
(`state.database`, `state.migrations`).
"""

from __future__ import annotations

from ..database import database_url
from .writer import Ledger

__all__ = ["Ledger", "database_url"]
