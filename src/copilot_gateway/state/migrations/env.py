"""alembic's environment for the state's database: migrations run on the connection the
gateway hands over (see `database._upgrade`), never on one of their own."""

from __future__ import annotations

from alembic import context

from copilot_gateway.state.completions_table import CHAT_COMPLETIONS  # noqa: F401  (its table)
from copilot_gateway.state.keys.table import KEYS  # noqa: F401
from copilot_gateway.state.ledger.rollup import ROLLUP  # noqa: F401
from copilot_gateway.state.ledger.table import LEDGER  # noqa: F401
from copilot_gateway.state.responses_table import RESPONSES  # noqa: F401
from copilot_gateway.state.schema import METADATA

context.configure(connection=context.config.attributes["connection"], target_metadata=METADATA)
with context.begin_transaction():
    context.run_migrations()
