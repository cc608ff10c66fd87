"""The upstream the settings name, built with its pooled client.

Composition, so it sits beside the app rather than in `upstreams/`: the emulator is one of
the upstreams it can build (in-process, over httpx's ASGI transport), and nothing in
`upstreams/` may import the emulator.
"""

from __future__ import annotations

import httpx

from .emulator import CopilotEmulator, EmulatorConfig
from .settings import Settings
from .upstreams.base import Upstream
from .upstreams.client import make_client
from .upstreams.copilot.accounts import load_accounts
from .upstreams.copilot.affinity import affinity_for
from .upstreams.copilot.pool import CopilotPool
from .upstreams.copilot.session import personal_access_token_problem
from .upstreams.copilot.upstream import CopilotUpstream
from .upstreams.openai import OpenAIUpstream

EMULATOR_URL = "http://copilot-emulator.internal"
# The in-process emulator accepts any GitHub token; this one says where it came from.
EMULATOR_GITHUB_TOKEN = "gho_emulator"


def build_upstream(settings: Settings) -> tuple[Upstream, str]:
    """The configured upstream, and a phrase naming it for the start-up message.

    Raises ValueError when the settings do not say enough to reach it."""
    kind = settings.upstream_kind
    if kind == "openai":
        if not settings.upstream_url:
            raise ValueError("GATEWAY_UPSTREAM=openai needs GATEWAY_UPSTREAM_URL")
        upstream: Upstream = OpenAIUpstream(make_client(settings), settings)
        return upstream, f"the OpenAI-compatible API at {settings.upstream_url}"
    if kind == "copilot":
        accounts = load_accounts(settings)
        if not accounts:
            raise ValueError(
                "GATEWAY_UPSTREAM=copilot needs a GitHub token: run `copilot-gateway login`, "
                "or set GITHUB_TOKEN"
            )
        members = []
        for account in accounts:
            token = account.github_token.get_secret_value()
            if problem := personal_access_token_problem(token):
                raise ValueError(f"account {account.name}: {problem}")
            members.append(CopilotUpstream(make_client(settings), settings, token, account.name))
        names = ", ".join(account.name for account in accounts)
        # Which account serves a conversation matters only when there are several.
        shared = settings.redis_url if len(members) > 1 else None
        affinity = affinity_for(shared.get_secret_value() if shared else None)
        pool = CopilotPool(members, settings.account_cooldown_seconds, affinity)
        return (
            pool,
            f"GitHub Copilot, accounts {names} (token exchange at {settings.github_api_url})",
        )
    emulator = CopilotEmulator(emulator_config(settings))
    # Same client code as the network, over httpx's ASGI transport.
    client = make_client(settings, httpx.ASGITransport(app=emulator.app))
    in_process = settings.model_copy(update={"github_api_url": EMULATOR_URL})
    emulated = CopilotUpstream(client, in_process, EMULATOR_GITHUB_TOKEN)
    return CopilotPool([emulated], 0), "the built-in Copilot emulator (in-process)"


def emulator_config(settings: Settings) -> EmulatorConfig:
    """The emulator as the settings have it (in-process, or `copilot-gateway emulator`)."""
    config = EmulatorConfig(
        first_token_ms=settings.emulator_first_token_ms,
        token_interval_ms=settings.emulator_token_interval_ms,
    )
    return config.budgets_times(settings.emulator_budget_scale)
