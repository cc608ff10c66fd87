"""The metadata every table of the state's database belongs to (the ledger's, the keys'):
alembic's migrations (`migrations/versions`) create them; a change is a new revision."""

from __future__ import annotations

from sqlalchemy import MetaData

METADATA = MetaData()
