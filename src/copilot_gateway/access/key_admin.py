"""Runtime keys made, listed, changed and revoked: the work behind `copilot-gateway keys`
and the admin API alike. A secret is made here, shown once, and only its SHA-256 kept.

Errors are `GatewayError`s, each with the field at fault: 400 (a bad field), 404 (no such
key), 409 (a name taken, by a runtime key or by a config-file key); 503 when the database
cannot be reached.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from ..errors import GatewayError, InvalidRequest, NotFound
from ..state.database import StateDatabase, reaching_the_database
from ..state.keys import store
from .keys import digest
from .rules import KeyEntry, KeyRules

SECRET_PREFIX = "sk-cg-"  # recognisable in a leak report or a secret scanner
SECRET_BYTES = 32
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
Json = dict[str, Any]
# What the keys table's integer columns hold (and what JSON numbers carry exactly).
LARGEST = {
    "rpm": 2**31 - 1,
    "tpm": 2**31 - 1,
    "max_parallel": 2**31 - 1,
    "tokens_per_day": 2**53 - 1,
}


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def hint_of(secret: str) -> str:
    """Enough of a secret to tell keys apart, far too little to use one."""
    return f"{secret[: len(SECRET_PREFIX) + 4]}…{secret[-4:]}"


class KeyNameTaken(GatewayError):
    status = 409
    code = "key_name_taken"


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    # SQLite gives back the UTC times it was given without their zone.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def rules_of(entry: KeyRules) -> Json:
    return entry.model_dump(include=set(store.RULE_COLUMNS))


def view_of_row(row: store.Row) -> Json:
    """A runtime key as listed: never its secret, nor even its digest."""
    return {
        "name": row["name"],
        "source": "runtime",
        "read_only": False,
        "hint": row["hint"],
        **{column: row[column] for column in store.RULE_COLUMNS},
        "deny": row["deny"] or [],
        "created_at": _time(row["created_at"]),
        "updated_at": _time(row["updated_at"]),
        "revoked_at": _time(row["revoked_at"]),
    }


def view_of_static(name: str, entry: KeyEntry | None) -> Json:
    """A key of the config file (or of GATEWAY_API_KEYS, `key-N`, with no rules): read-only."""
    rules = rules_of(entry) if entry is not None else rules_of(KeyRules())
    source = "config" if entry is not None else "environment"
    return {
        "name": name,
        "source": source,
        "read_only": True,
        "hint": None,
        **rules,
        "created_at": None,
        "updated_at": None,
        "revoked_at": None,
    }


def checked_rules(values: Mapping[str, Any]) -> KeyRules:
    """The rules given, validated as the config file's are, and within what the database's
    columns hold; a bad one is 400 naming it. `deny` given as None is none."""
    given = {**values, "deny": values.get("deny") or []}
    try:
        rules = KeyRules.model_validate(given)
    except ValidationError as problem:
        error = problem.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or None
        raise InvalidRequest(
            f"{field}: {error['msg']}", param=field, code="invalid_value"
        ) from None
    for field, most in LARGEST.items():
        value = getattr(rules, field)
        if value is not None and value > most:
            raise InvalidRequest(f"{field}: at most {most}", param=field, code="invalid_value")
    return rules


class KeyAdmin:
    """The runtime keys of one database, beside the static ones (config file, environment),
    whose names they may not take."""

    def __init__(
        self,
        database: StateDatabase,
        static_names: Collection[str],
        config_entries: Sequence[KeyEntry] = (),
    ) -> None:
        self.database = database
        self.config_entries = {entry.name: entry for entry in config_entries}
        self.static_names = sorted(set(static_names))

    @reaching_the_database
    async def create(self, name: Any, rules: Mapping[str, Any]) -> tuple[str, Json]:
        """A new key: its secret (to show once) and its view."""
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise InvalidRequest(
                "name: 1-64 letters, digits, '_', '.', '@' or '-', starting with a letter or "
                "digit.",
                param="name",
                code="invalid_value",
            )
        if name in self.static_names:
            raise KeyNameTaken(
                f"Key '{name}' is a key of the config file or GATEWAY_API_KEYS: choose another "
                "name.",
                param="name",
            )
        checked = checked_rules(rules)
        secret = new_secret()
        row = {
            "name": name,
            "sha256": digest(secret).hex(),
            "hint": hint_of(secret),
            **rules_of(checked),
        }
        try:
            created = await store.create(await self.database.ready(), row)
        except store.NameTaken:
            raise KeyNameTaken(f"A key named '{name}' exists already.", param="name") from None
        return secret, view_of_row(created)

    @reaching_the_database
    async def list(self) -> list[Json]:
        """Every key: the static ones (read-only), then the runtime ones, revoked included."""
        _, rows = await store.load(await self.database.ready())
        static = [view_of_static(name, self.config_entries.get(name)) for name in self.static_names]
        return static + [view_of_row(row) for row in rows]

    @reaching_the_database
    async def get(self, name: str) -> Json:
        if name in self.static_names:
            return view_of_static(name, self.config_entries.get(name))
        row = await store.one(await self.database.ready(), name)
        if row is None:
            raise unknown(name)
        return view_of_row(row)

    @reaching_the_database
    async def update(self, name: str, changes: Mapping[str, Any]) -> Json:
        """The key's rules changed: a field given as None is cleared (unlimited, every model)."""
        self._not_static(name)
        engine = await self.database.ready()
        row = await store.one(engine, name)
        if row is None or row["revoked_at"] is not None:
            raise unknown(name)
        unknown_fields = sorted(set(changes) - set(store.RULE_COLUMNS))
        if unknown_fields:
            field = unknown_fields[0]
            raise InvalidRequest(f"{field}: not a key's rule", param=field, code="invalid_value")
        current = {column: row[column] for column in store.RULE_COLUMNS}
        merged = {**current, **changes}
        changed = await store.change(engine, name, rules_of(checked_rules(merged)))
        if changed is None:  # revoked meanwhile
            raise unknown(name)
        return view_of_row(changed)

    @reaching_the_database
    async def revoke(self, name: str) -> Json:
        self._not_static(name)
        revoked = await store.revoke(await self.database.ready(), name)
        if revoked is None:
            raise unknown(name)
        return view_of_row(revoked)

    def _not_static(self, name: str) -> None:
        if name in self.static_names:
            raise KeyNameTaken(
                f"Key '{name}' comes from the config file or GATEWAY_API_KEYS: change it there.",
                param="name",
            )


def unknown(name: str) -> NotFound:
    return NotFound(f"No active runtime key named '{name}'.", param="name", code="key_not_found")
