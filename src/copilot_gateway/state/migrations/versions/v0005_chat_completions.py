"""Stored chat completions (`store: true`), and their metadata pairs to filter by.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_completions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("requested_model", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_index("chat_completions_owner_created", "chat_completions", ["owner", "created_at"])
    op.create_index("chat_completions_expiry", "chat_completions", ["expires_at"])
    op.create_table(
        "chat_completion_metadata",
        sa.Column(
            "completion_id",
            sa.Text,
            sa.ForeignKey("chat_completions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("chat_completion_metadata_pair", "chat_completion_metadata", ["key", "value"])


def downgrade() -> None:
    op.drop_table("chat_completion_metadata")
    op.drop_table("chat_completions")
