"""The ledger's table, as SQLAlchemy describes it: what the writer inserts and reports
read. The migrations (`state/migrations/versions`) create it; a change here is a new revision."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    Table,
    Text,
)

from ..schema import METADATA

# Every string is Text: no value can fail a batch for its length (the row is made of what
# the gateway noted, cut short where a client chose it; see `rows`).
LEDGER = Table(
    "ledger",
    METADATA,
    # BIGINT on PostgreSQL; SQLite autoincrements only an INTEGER primary key.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),  # when the request came in (UTC)
    Column("request_id", Text),
    Column("key_name", Text),
    Column("account", Text),
    Column("surface", Text),
    Column("operation", Text),
    Column("model_asked", Text),
    Column("model_served", Text),
    Column("translated", Boolean),
    Column("status", Integer),
    Column("upstream_status", Integer),
    Column("error_code", Text),
    Column("input_tokens", Integer, nullable=False),
    Column("cached_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("nano_aiu", BigInteger),  # the exact cost; credits and USD follow from it
    Column("credits", Float),
    Column("usd", Float),
    Column("latency_ms", Float, nullable=False),
    Column("client", Text),
    Index("ledger_at", "at"),
    Index("ledger_key_at", "key_name", "at"),
)
