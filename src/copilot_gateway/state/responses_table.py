"""Stored Responses API responses, as the state's database keeps them when it is a shared
one (PostgreSQL): what a replica stored, every replica reads. Alembic's migrations create
the table; a change is a new revision."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, LargeBinary, Table, Text

from .schema import METADATA

RESPONSES = Table(
    "responses",
    METADATA,
    Column("id", Text, primary_key=True),
    Column("owner", Text, nullable=False),  # the key's name: another key's is a 404
    Column("expires_at", Float, nullable=False),  # Unix time
    Column("body", LargeBinary, nullable=False),  # the response, its input items, its context
    Index("responses_expiry", "expires_at"),
)
