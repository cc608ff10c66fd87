"""The ledger table: one row per request.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.Text),
        sa.Column("key_name", sa.Text),
        sa.Column("account", sa.Text),
        sa.Column("surface", sa.Text),
        sa.Column("operation", sa.Text),
        sa.Column("model_asked", sa.Text),
        sa.Column("model_served", sa.Text),
        sa.Column("translated", sa.Boolean),
        sa.Column("status", sa.Integer),
        sa.Column("upstream_status", sa.Integer),
        sa.Column("error_code", sa.Text),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("cached_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("nano_aiu", sa.BigInteger),
        sa.Column("credits", sa.Float),
        sa.Column("usd", sa.Float),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("client", sa.Text),
    )
    op.create_index("ledger_at", "ledger", ["at"])
    op.create_index("ledger_key_at", "ledger", ["key_name", "at"])


def downgrade() -> None:
    op.drop_table("ledger")
