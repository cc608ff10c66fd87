"""The running gateway's shared parts: built once at start-up (see `app.build`), reached by
every request through its call (see `call`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field

from . import tokens
from .access.key_admin import KeyAdmin
from .access.keys import KeyRing
from .access.rules import AccessConfig
from .access.runtime_keys import RuntimeKeys
from .draining import Draining
from .settings import Settings
from .spec.answers import AnswerChecks
from .state.completions import CompletionStore
from .state.database import StateDatabase
from .state.ledger import Ledger, database_url
from .state.responses import ResponseStore, SQLiteResponseStore
from .state.responses_sql import SqlResponseStore
from .upstreams.base import Upstream

log = logging.getLogger(__name__)
# How long start-up waits on each part that a first request would otherwise open.
WARM_UP_SECONDS = 10.0


@dataclass
class Gateway:
    settings: Settings
    upstream: Upstream
    upstream_description: str
    access: AccessConfig = field(default_factory=AccessConfig)
    draining: Draining = field(init=False)
    answers: AnswerChecks = field(init=False)
    responses: ResponseStore = field(init=False)  # stored Responses API responses
    completions: CompletionStore = field(init=False)  # chat completions made with `store`
    ledger: Ledger = field(init=False)  # one row per request
    database: StateDatabase = field(
        init=False
    )  # the ledger's, keys', completions', shared responses'
    key_ring: KeyRing = field(init=False)  # the static keys: environment and config file
    runtime_keys: RuntimeKeys = field(init=False)  # the database's, as this process knows them
    key_admin: KeyAdmin = field(init=False)  # runtime keys made and changed (the admin API)

    def __post_init__(self) -> None:
        self.draining = Draining(self.settings.shutdown_grace_seconds)
        self.answers = AnswerChecks(reject=self.settings.upstream_validation == "reject")
        # One engine per process, made in the loop that serves (see `app.create_app`).
        self.database = StateDatabase(database_url(self.settings))
        # In the shared database when there is one, so every replica serves what any stored;
        # else in this host's SQLite file. Opened on first use either way.
        ttl = self.settings.responses_ttl
        self.responses = (
            SqlResponseStore(self.database, ttl)
            if self.settings.database_url is not None
            else SQLiteResponseStore(self.settings.responses_db, ttl)
        )
        self.completions = CompletionStore(self.database, self.settings.chat_completions_ttl)
        self.key_ring = KeyRing(self.settings.api_keys, self.access.keys)
        self.runtime_keys = RuntimeKeys(
            self.database, self.settings.keys_refresh_seconds, self.settings.keys_max_stale_seconds
        )
        self.access.with_runtime_keys(self.runtime_keys.entry)
        self.key_admin = KeyAdmin(self.database, self.key_ring.names, self.access.keys)
        # Started by the app's lifespan (see `app.create_app`): until then rows only gather.
        self.ledger = Ledger(
            self.database,
            retention_days=self.settings.ledger_retention_days,
            buffer_rows=self.settings.ledger_buffer_rows,
            batch_rows=self.settings.ledger_batch_rows,
            flush_seconds=self.settings.ledger_flush_seconds,
        )

    async def warm_up(self) -> None:
        """Pay now, before the process says it is healthy, what its first requests would
        otherwise wait for: the vocabulary, the upstream's catalogue (with Copilot's token
        and a pooled connection), the stored responses' database. One that does not answer
        does not keep the gateway from starting: a request that needs it tries again."""
        tokens.warm()
        await warmed("the upstream's model list", self.upstream.models())
        await warmed("the stored responses' database", self.responses.get("", ""))


async def warmed(part: str, opening: Awaitable[object]) -> None:
    try:
        await asyncio.wait_for(opening, WARM_UP_SECONDS)
    except Exception as problem:  # any failure here is the first request's to report
        log.warning("Start-up: %s did not answer (%s): first use tries again", part, problem)
