"""alembic's environment for the ledger: migrations run on the connection the gateway hands
over (see `database._upgrade`), never on one of their own."""

from __future__ import annotations

from alembic import context

from copilot_gateway.state.ledger.table import METADATA

context.configure(connection=context.config.attributes["connection"], target_metadata=METADATA)
with context.begin_transaction():
    context.run_migrations()
