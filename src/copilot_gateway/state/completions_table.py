"""Stored chat completions, as the state's database keeps them (SQLite or PostgreSQL): one
row per completion, and one per metadata pair, which the listing filters by. Alembic's
migrations create the tables; a change is a new revision."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, LargeBinary, Table, Text

from .schema import METADATA

CHAT_COMPLETIONS = Table(
    "chat_completions",
    METADATA,
    Column("id", Text, primary_key=True),
    Column("owner", Text, nullable=False),  # the key's name: another key's is a 404
    Column("created_at", Float, nullable=False),  # Unix time, to the microsecond: the order
    Column("expires_at", Float, nullable=False),  # Unix time
    Column("model", Text, nullable=False),  # the answer's model
    Column("requested_model", Text, nullable=False),  # the model the client asked for
    Column("body", LargeBinary, nullable=False),  # the completion (metadata too), its messages
    Index("chat_completions_owner_created", "owner", "created_at"),
    Index("chat_completions_expiry", "expires_at"),
)

CHAT_COMPLETION_METADATA = Table(
    "chat_completion_metadata",
    METADATA,
    Column(
        "completion_id",
        Text,
        ForeignKey("chat_completions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Index("chat_completion_metadata_pair", "key", "value"),
)
