"""The running gateway's shared parts: built once at start-up (see `app.build`), reached by
every request through its call (see `call`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .access.rules import AccessConfig
from .draining import Draining
from .settings import Settings
from .spec.answers import AnswerChecks
from .state.ledger import Ledger, database_url
from .state.responses import ResponseStore, SQLiteResponseStore
from .upstreams.base import Upstream


@dataclass
class Gateway:
    settings: Settings
    upstream: Upstream
    upstream_description: str
    access: AccessConfig = field(default_factory=AccessConfig)
    draining: Draining = field(init=False)
    answers: AnswerChecks = field(init=False)
    responses: ResponseStore = field(init=False)  # stored Responses API responses
    ledger: Ledger = field(init=False)  # one row per request

    def __post_init__(self) -> None:
        self.draining = Draining(self.settings.shutdown_grace_seconds)
        self.answers = AnswerChecks(reject=self.settings.upstream_validation == "reject")
        # Opened on first use: an app that never stores a response never creates the file.
        self.responses = SQLiteResponseStore(
            self.settings.responses_db, self.settings.responses_ttl
        )
        # Started by the app's lifespan (see `app.create_app`): until then rows only gather.
        self.ledger = Ledger(
            database_url(self.settings),
            retention_days=self.settings.ledger_retention_days,
            buffer_rows=self.settings.ledger_buffer_rows,
            batch_rows=self.settings.ledger_batch_rows,
            flush_seconds=self.settings.ledger_flush_seconds,
        )
