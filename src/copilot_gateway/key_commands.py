"""`copilot-gateway keys create|list|update|revoke`: runtime keys, in the database the
settings name (as `serve` reads them), through the same work as the admin API
(`access.key_admin`). `create` prints the secret alone on stdout's first line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from .access.key_admin import Json, KeyAdmin
from .access.keys import KeyRing
from .access.rules import AccessConfig
from .config_file import ConfigFileError
from .errors import GatewayError
from .settings import Settings
from .state.database import StateDatabase, database_url
from .state.keys.store import RULE_COLUMNS

# The rules' flags, as `create` and `update` take them: (flag, field, type).
RULE_FLAGS: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("--rpm", "rpm", int),
    ("--tpm", "tpm", int),
    ("--max-parallel", "max_parallel", int),
    ("--tokens-per-day", "tokens_per_day", int),
    ("--credits-per-day", "credits_per_day", float),
    ("--credits-per-month", "credits_per_month", float),
)
LISTED = ("name", "source", "hint", "allow", "deny", "rpm", "tpm", "max_parallel")


def add_parser(commands: Any) -> argparse.ArgumentParser:
    keys = commands.add_parser("keys", help="make, list, change and revoke runtime client keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a key; prints its secret once")
    create.add_argument("--name", required=True)
    listing = actions.add_parser("list", help="every key (config-file ones read-only)")
    listing.add_argument("--json", action="store_true", help="as JSON")
    update = actions.add_parser("update", help="change a runtime key's rules")
    update.add_argument("name")
    update.add_argument(
        "--clear",
        action="append",
        default=[],
        choices=RULE_COLUMNS,
        help="clear this rule (unlimited; every model for allow; none for deny)",
    )
    for command in (create, update):
        command.add_argument("--allow", action="append", help="a model pattern it may use")
        command.add_argument("--deny", action="append", help="a model pattern it may not use")
        for flag, _, kind in RULE_FLAGS:
            command.add_argument(flag, type=kind)
    revoke = actions.add_parser("revoke", help="revoke a runtime key")
    revoke.add_argument("name")
    return keys


def rules_given(args: argparse.Namespace) -> dict[str, Any]:
    given = {field: getattr(args, field) for field in ("allow", "deny")}
    given.update({field: getattr(args, field) for _, field, _ in RULE_FLAGS})
    rules = {field: value for field, value in given.items() if value is not None}
    for field in getattr(args, "clear", []):
        rules[field] = None
    return rules


def admin_of(settings: Settings) -> tuple[KeyAdmin, StateDatabase]:
    access = AccessConfig.load(settings.config_file)
    database = StateDatabase(database_url(settings))
    ring = KeyRing(settings.api_keys, access.keys)
    return KeyAdmin(database, ring.names, access.keys), database


def run(settings: Settings, args: argparse.Namespace) -> int:
    # The migrations' progress is `serve`'s to tell; here it would bury the answer.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        admin, database = admin_of(settings)
    except (ConfigFileError, ValidationError) as problem:
        print(f"copilot-gateway: the access rules do not load: {problem}", file=sys.stderr)
        return 2

    async def act() -> int:
        try:
            return await ACTIONS[args.action](admin, args)
        except GatewayError as problem:
            print(f"copilot-gateway: {problem.message}", file=sys.stderr)
            return 1 if problem.status >= 500 else 2  # the database's failure, or the ask's
        finally:
            await database.aclose()

    return asyncio.run(act())


async def create(admin: KeyAdmin, args: argparse.Namespace) -> int:
    secret, key = await admin.create(args.name, rules_given(args))
    print(secret)  # alone on the first line: `KEY=$(copilot-gateway keys create ... | head -1)`
    print(
        f"# key '{key['name']}' made ({key['hint']}); the secret above is shown once, keep it now",
        file=sys.stderr,
    )
    return 0


async def listing(admin: KeyAdmin, args: argparse.Namespace) -> int:
    keys = await admin.list()
    if args.json:
        print(json.dumps(keys, indent=2))
    else:
        print(table(keys), end="")
    return 0


async def update(admin: KeyAdmin, args: argparse.Namespace) -> int:
    key = await admin.update(args.name, rules_given(args))
    print(table([key]), end="")
    return 0


async def revoke(admin: KeyAdmin, args: argparse.Namespace) -> int:
    key = await admin.revoke(args.name)
    print(f"revoked {key['name']} ({key['hint']}) at {key['revoked_at']}")
    return 0


def table(keys: list[Json]) -> str:
    """Keys as an aligned table; a revoked key says so in its own column."""
    columns = (*LISTED, "tokens_per_day", "credits_per_day", "credits_per_month", "revoked_at")

    def cell(value: Any) -> str:
        if value is None:
            return "-"
        return (",".join(value) or "-") if isinstance(value, list) else str(value)

    rows = [list(columns)] + [[cell(key[column]) for column in columns] for key in keys]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    return "".join(
        "  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )


ACTIONS: dict[str, Callable[[KeyAdmin, argparse.Namespace], Awaitable[int]]] = {
    "create": create,
    "list": listing,
    "update": update,
    "revoke": revoke,
}
