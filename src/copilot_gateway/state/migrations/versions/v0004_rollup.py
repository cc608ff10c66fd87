"""The ledger's rollup: its rows summed by UTC hour and day, per key, model, account and
client (see `rollup`), filled from the rows already written.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from copilot_gateway.state.ledger.rollup import backfill

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_rollup",
        sa.Column("span", sa.Text, nullable=False),
        sa.Column("dimension", sa.Text, nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("requests", sa.BigInteger, nullable=False),
        sa.Column("errors", sa.BigInteger, nullable=False),
        sa.Column("input_tokens", sa.BigInteger, nullable=False),
        sa.Column("cached_tokens", sa.BigInteger, nullable=False),
        sa.Column("output_tokens", sa.BigInteger, nullable=False),
        sa.Column("credits", sa.Float, nullable=False),
        sa.Column("usd", sa.Float, nullable=False),
        sa.Column("unpriced", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("span", "dimension", "start", "value", name="ledger_rollup_pkey"),
    )
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("ledger_rollup")
