"""The `copilot-gateway` command: `serve` the API, or serve the Copilot `emulator` alone."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tomllib
from pathlib import Path
from types import FrameType

import httpx
import uvicorn
from connexion import AsyncApp
from pydantic import ValidationError

from .access import AccessConfig
from .app import create_app
from .auth import AuthRefused, KeyRing, auth_required
from .emulator import CopilotEmulator, EmulatorConfig
from .login import LoginFailed, device_login, store_token
from .request_id import install_log_field
from .service import Gateway
from .settings import Settings, is_loopback
from .shutdown import Draining
from .upstreams import build_upstream

log = logging.getLogger("copilot_gateway")


def gateway_app(settings: Settings) -> tuple[AsyncApp, Gateway, str | None]:
    """The app for these settings, the gateway it serves, and a warning to show.

    Raises ConfigurationError when the settings must not or cannot be served.
    """
    try:
        access = AccessConfig.load(settings.config_file)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as problem:
        raise ConfigurationError(f"the config file {settings.config_file}: {problem}") from None
    try:
        auth_enabled, warning = auth_required(
            KeyRing(settings.api_keys, access.keys),
            settings.auth_disabled,
            settings.auth_disabled_force,
            is_loopback(settings.host),
        )
        upstream, description = build_upstream(settings)
    except (AuthRefused, ValueError) as refusal:
        raise ConfigurationError(str(refusal)) from None
    gateway = Gateway(settings, upstream, description, access)
    return create_app(gateway, auth_enabled=auth_enabled), gateway, warning


class ConfigurationError(Exception):
    """Settings that must not, or cannot, be served."""


def app_from_environment() -> AsyncApp:
    """The app of one worker process (`serve --workers N`): settings from the environment."""
    return gateway_app(Settings())[0]


def serve(settings: Settings, workers: int) -> int:
    try:
        app, gateway, warning = gateway_app(settings)
    except ConfigurationError as refusal:
        print(f"copilot-gateway: refusing to start: {refusal}", file=sys.stderr)
        return 2
    if warning:
        log.warning("!!! %s", warning)
    url = f"http://{settings.host}:{settings.port}"
    log.info("Upstream: %s", gateway.upstream_description)
    log.info("OpenAI API at %s/v1 (docs at %s/docs)", url, url)
    options = {
        "host": settings.host,
        "port": settings.port,
        "timeout_keep_alive": settings.keep_alive_seconds,
        # The peer address must stay the real one: access rules trust only configured proxies.
        "proxy_headers": False,
        # Streams end themselves (with an error event) after the grace period; this is later.
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds + 5,
        "log_level": "info",
        "access_log": False,
    }
    if workers > 1:
        # Each worker process builds its own app from the environment: hand it --host/--port.
        os.environ.update(GATEWAY_HOST=settings.host, GATEWAY_PORT=str(settings.port))
        target = "copilot_gateway.cli:app_from_environment"
        uvicorn.run(target, factory=True, workers=workers, **options)  # type: ignore[arg-type]
    else:
        DrainingServer(uvicorn.Config(app, **options), gateway.draining).run()  # type: ignore[arg-type]
    return 0


class DrainingServer(uvicorn.Server):
    """uvicorn's server, telling open streams when shutdown begins (see `shutdown`)."""

    def __init__(self, config: uvicorn.Config, draining: Draining) -> None:
        super().__init__(config)
        self.draining = draining

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.draining.request()
        super().handle_exit(sig, frame)


def serve_emulator(settings: Settings) -> int:
    config = EmulatorConfig(
        first_token_ms=settings.emulator_first_token_ms,
        token_interval_ms=settings.emulator_token_interval_ms,
    )
    log.info(
        "Copilot emulator at http://%s:%s (point GATEWAY_GITHUB_API_URL here)",
        settings.host,
        settings.port,
    )
    uvicorn.run(
        CopilotEmulator(config).app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
    )
    return 0


def login(settings: Settings) -> int:
    try:
        token = device_login(settings)
    except (LoginFailed, httpx.HTTPError) as failure:
        print(f"copilot-gateway: login failed: {failure}", file=sys.stderr)
        return 1
    store_token(settings.token_file, token)
    print(f"Logged in. The token is stored in {settings.token_file} (mode 0600).")
    print("Next: `copilot-gateway serve` uses it (GITHUB_TOKEN, if set, takes precedence).")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="copilot-gateway", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    for name, port, help_text in (
        ("serve", 8080, "serve the OpenAI API (on the built-in emulator without credentials)"),
        ("emulator", 9090, "serve the Copilot emulator on its own"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--port", type=int, default=port)
        if name == "serve":
            command.add_argument("--workers", type=int, default=1, help="worker processes")
            command.add_argument("--config", type=Path, help="TOML file of access rules")
    commands.add_parser("login", help="sign in to GitHub (device flow) and keep the token")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    install_log_field()
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s:     [%(request_id)s] %(message)s"
    )
    # One line per upstream call and per skipped SSE validation is noise, not news.
    for chatty in ("httpx", "connexion.middleware.validation"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        given = {"host": args.host, "port": args.port} if args.command != "login" else {}
        if getattr(args, "config", None):
            given["config_file"] = args.config
        settings = Settings(**given)
    except ValidationError as error:
        print(f"copilot-gateway: invalid configuration:\n{error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return serve(settings, args.workers)
    if args.command == "login":
        return login(settings)
    return serve_emulator(settings)


if __name__ == "__main__":
    sys.exit(main())
