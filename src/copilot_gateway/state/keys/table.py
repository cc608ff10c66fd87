"""The runtime keys' tables: one row per key (its secret's SHA-256, never the secret), and
one revision number every change bumps in its own transaction, so that a process learns
whether anything changed by reading one integer."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Float, Integer, Table, Text

from ..schema import METADATA

KEYS = Table(
    "keys",
    METADATA,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("sha256", Text, nullable=False, unique=True),  # hex digest of the secret
    Column("hint", Text, nullable=False),  # e.g. `sk-cg-Ab3d…x9Qz`: enough to tell keys apart
    Column("allow", JSON),  # model patterns; null: every model
    Column("deny", JSON, nullable=False),
    Column("rpm", Integer),
    Column("tpm", Integer),
    Column("max_parallel", Integer),
    Column("tokens_per_day", BigInteger),
    Column("credits_per_day", Float),
    Column("credits_per_month", Float),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

KEYS_REVISION = Table(
    "keys_revision",
    METADATA,
    Column("id", Integer, primary_key=True),  # the one row: 1
    Column("revision", BigInteger, nullable=False),
)
