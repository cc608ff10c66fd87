"""The `copilot-gateway` command: `serve` the API, or serve the Copilot `emulator` alone;
manage runtime `keys`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

import httpx
import uvicorn
from connexion import AsyncApp
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from . import key_commands
from .access.rules import AccessConfig
from .app import ConfigurationError, build, uvicorn_options
from .config_file import ConfigFileError, describe, render
from .edge.descriptors import connections_allowed, raise_descriptor_limit
from .emulator import CopilotEmulator
from .errors import GatewayError
from .observability.logs import configure_logging
from .observability.metrics import MULTIPROCESS_DIR_VARIABLE
from .settings import Settings
from .state.ledger.report_command import FORMATS, ledger_report, moment, rendered
from .state.ledger.reports import GROUPS
from .state.ledger.writer import why
from .upstream_from_settings import emulator_config
from .upstreams.base import Json
from .upstreams.client import make_client
from .upstreams.copilot.accounts import Account, load_accounts
from .upstreams.copilot.check import check_accounts
from .upstreams.copilot.check_findings import render as render_check
from .upstreams.copilot.login import LoginFailed, device_login, store_token
from .upstreams.copilot.probe import probe
from .upstreams.copilot.upstream import CopilotUpstream
from .upstreams.copilot.usage_table import render_usage

log = logging.getLogger("copilot_gateway")
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")

EMULATOR_PORT = 9090


def app_from_environment() -> AsyncApp:
    """The app of one worker process (`serve --workers N`): settings from the environment."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return build(settings).app


def serve(settings: Settings, workers: int) -> int:
    try:
        built = build(settings)
    except ConfigurationError as refusal:
        print(f"copilot-gateway: refusing to start: {refusal}", file=sys.stderr)
        return 2
    warning = built.warning
    if warning:
        log.warning("!!! %s", warning)
    url = f"http://{settings.host}:{settings.port}"
    log.info("Upstream: %s", built.gateway.upstream_description)
    log.info("OpenAI API at %s/v1 (docs at %s/docs)", url, url)
    key = "anything (no auth)" if warning else "one of GATEWAY_API_KEYS"
    log.info("Next: set OPENAI_BASE_URL=%s/v1 and OPENAI_API_KEY=<%s> in any client", url, key)
    if settings.upstream_kind == "emulator":
        log.info("Answers are the emulator's: `copilot-gateway login`, then serve, for Copilot's")
    descriptors = raise_descriptor_limit()  # inherited by worker processes
    log.info(
        "Open files limit %d: at most %d client connections per process",
        descriptors,
        connections_allowed(settings.max_connections),
    )
    options = uvicorn_options(settings)
    if workers > 1:
        # Each worker process builds its own app from the environment: hand it the command
        # line's options, and a fresh directory where every worker writes its metrics.
        os.environ.update(GATEWAY_HOST=settings.host, GATEWAY_PORT=str(settings.port))
        if settings.config_file:
            os.environ["GATEWAY_CONFIG_FILE"] = str(settings.config_file)
        if not os.environ.get(MULTIPROCESS_DIR_VARIABLE):
            metrics_dir = tempfile.mkdtemp(prefix="copilot-gateway-metrics-")
            os.environ[MULTIPROCESS_DIR_VARIABLE] = metrics_dir
        target = "copilot_gateway.cli:app_from_environment"
        # A worker builds its whole app (specs, validators, vocabularies) before it answers
        # the supervisor's health check: on a busy machine that takes longer than uvicorn's
        # 5 s, and a worker killed for it only starts the same build again.
        uvicorn.run(target, factory=True, workers=workers, timeout_worker_healthcheck=30, **options)
    else:
        uvicorn.run(built.app, **options)
    return 0


def serve_emulator(settings: Settings) -> int:
    config = emulator_config(settings)
    log.info(
        "Copilot emulator at http://%s:%s (point GATEWAY_GITHUB_API_URL here)",
        settings.host,
        settings.port,
    )
    uvicorn.run(
        CopilotEmulator(config).app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
    return 0


def login(settings: Settings, account: str | None) -> int:
    if account is not None and not ACCOUNT_NAME.fullmatch(account):
        print(
            "copilot-gateway: an account name is 1-64 letters, digits, '.', '_' or '-'.",
            file=sys.stderr,
        )
        return 2
    try:
        token = device_login(settings)
    except (LoginFailed, httpx.HTTPError) as failure:
        print(f"copilot-gateway: login failed: {failure}", file=sys.stderr)
        return 1
    path = settings.token_file if account is None else settings.accounts_dir / account
    store_token(path, token)
    print(f"Logged in. The token is stored in {path} (mode 0600).")
    if account is None:
        print("Next: `copilot-gateway serve` uses it (GITHUB_TOKEN, if set, takes precedence).")
    else:
        print(f"Next: `copilot-gateway serve` uses account {account} beside the others.")
    return 0


async def account_usage(settings: Settings, account: Account) -> Json:
    """An account's plan, billing, credits and quotas (GitHub's), and its windows (Copilot's)."""
    token = account.github_token.get_secret_value()
    upstream = CopilotUpstream(make_client(settings), settings, token, account.name)
    try:
        summary = await upstream.quota_summary()
        try:
            await probe(upstream)  # Copilot reports the windows only on a call's answer
        except GatewayError as problem:  # the rest is still worth showing
            print(
                f"copilot-gateway: account {account.name}: no windows: {problem}", file=sys.stderr
            )
        return {**summary, "windows": upstream.windows.as_json()}
    finally:
        await upstream.aclose()


def configured_accounts(settings: Settings) -> list[Account]:
    """The Copilot accounts `usage` and `check` go through; none (said on stderr) when the
    configuration names none, or names them wrongly."""
    try:
        accounts = load_accounts(settings)
    except ValueError as problem:
        print(f"copilot-gateway: {problem}", file=sys.stderr)
        return []
    if not accounts:
        print(
            "copilot-gateway: no Copilot account: run `copilot-gateway login` or set GITHUB_TOKEN.",
            file=sys.stderr,
        )
    return accounts


def show_usage(settings: Settings) -> int:
    """Each account's plan, billing, credits, quotas and windows."""
    accounts = configured_accounts(settings)
    if not accounts:
        return 2

    async def every_account() -> tuple[list[Json], int]:
        summaries, failed = [], 0
        for account in accounts:
            try:
                summaries.append(await account_usage(settings, account))
            except GatewayError as problem:
                failed += 1
                print(f"copilot-gateway: account {account.name}: {problem}", file=sys.stderr)
        return summaries, failed

    summaries, failed = asyncio.run(every_account())
    print(render_usage(summaries), end="")
    return 1 if failed else 0


def show_spend(settings: Settings, args: argparse.Namespace) -> int:
    """`usage --by GROUP`: the ledger's report (`state.ledger.report_command`)."""
    try:
        rows = asyncio.run(ledger_report(settings, args.by, args.since, args.until))
    except (SQLAlchemyError, OSError) as problem:
        print(f"copilot-gateway: the ledger's database: {why(problem)}", file=sys.stderr)
        return 1
    print(rendered(rows, args.by, args.format), end="")
    return 0


def check(settings: Settings) -> int:
    """Each Copilot account tried end to end (`upstreams.copilot.check`): 0 when all pass."""
    accounts = configured_accounts(settings)
    if not accounts:
        return 1
    tokens = [(account.name, account.github_token.get_secret_value()) for account in accounts]
    reports = asyncio.run(check_accounts(settings, tokens))
    print(render_check(reports), end="")
    return 0 if all(report.ok for report in reports) else 1


def show_config(settings: Settings) -> int:
    print(render(settings), end="")
    try:
        access = AccessConfig.load(settings.config_file)
    except (ConfigFileError, ValidationError) as problem:
        print(f"# the access rules do not load: {problem}")
        return 2
    names = ", ".join(key.name for key in access.keys) or "none"
    countries = ", ".join(access.countries.rules) if access.countries else "none"
    print(f"# access rules: named keys {names}; country rules {countries}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="copilot-gateway", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve_command = commands.add_parser(
        "serve", help="serve the OpenAI API (on the built-in emulator without credentials)"
    )
    emulator_command = commands.add_parser("emulator", help="serve the Copilot emulator alone")
    for command, port in ((serve_command, 8080), (emulator_command, EMULATOR_PORT)):
        # No defaults here: what the command line does not say, env and config file may.
        command.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
        command.add_argument("--port", type=int, help=f"port (default {port})")
    serve_command.add_argument("--workers", type=int, default=1, help="worker processes")
    login_command = commands.add_parser(
        "login", help="sign in to GitHub (device flow) and keep the token"
    )
    login_command.add_argument(
        "--account", help="keep it as another, named account (see GATEWAY_ACCOUNTS_DIR)"
    )
    usage_command = commands.add_parser(
        "usage",
        help="each Copilot account's plan, billing, credits, quotas and windows; "
        "with --by, the ledger's spend report",
    )
    usage_command.add_argument(
        "--by", choices=GROUPS, help="the ledger's report, summed by this (no upstream call)"
    )
    usage_command.add_argument(
        "--from", dest="since", type=moment, help="from this ISO date or time (UTC; inclusive)"
    )
    usage_command.add_argument(
        "--to", dest="until", type=moment, help="to this ISO date or time (UTC; exclusive)"
    )
    usage_command.add_argument("--format", choices=FORMATS, default="table")
    check_command = commands.add_parser(
        "check", help="try each Copilot account end to end, and say what to fix"
    )
    config_command = commands.add_parser("config", help="inspect the configuration")
    config_command.add_argument("action", choices=["show"], help="print the effective settings")
    keys_command = key_commands.add_parser(commands)
    for command in (
        serve_command,
        login_command,
        config_command,
        usage_command,
        check_command,
        keys_command,
    ):
        command.add_argument("--config", type=Path, help="TOML config file (GATEWAY_CONFIG_FILE)")
    return root


def main(argv: list[str] | None = None) -> int:
    command_line = parser()
    args = command_line.parse_args(argv)
    report_only = ("since", "until", "format")
    if (
        args.command == "usage"
        and args.by is None
        and any(getattr(args, name) not in (None, "table") for name in report_only)
    ):
        command_line.error("--from, --to and --format are for the report: give --by")
    given: dict[str, object] = {
        name: value
        for name, value in (
            ("host", getattr(args, "host", None)),
            ("port", getattr(args, "port", None)),
            ("config_file", getattr(args, "config", None)),
        )
        if value is not None
    }
    if args.command == "emulator":
        given.setdefault("port", EMULATOR_PORT)
    try:
        settings = Settings(**given)  # type: ignore[arg-type]
    except ValidationError as error:
        print(f"copilot-gateway: invalid configuration:\n{describe(error)}", file=sys.stderr)
        return 2
    except ConfigFileError as error:
        print(f"copilot-gateway: invalid configuration: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format, settings.log_level)
    if args.command == "serve":
        return serve(settings, args.workers)
    if args.command == "login":
        return login(settings, args.account)
    if args.command == "config":
        return show_config(settings)
    if args.command == "usage":
        return show_usage(settings) if args.by is None else show_spend(settings, args)
    if args.command == "check":
        return check(settings)
    if args.command == "keys":
        return key_commands.run(settings, args)
    return serve_emulator(settings)


if __name__ == "__main__":
    sys.exit(main())
