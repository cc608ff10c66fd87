"""Upstream classes on the emulator in-process, through httpx's ASGI transport (as the
built-in emulator upstream is served): no socket and no server thread, for tests of what
only the upstream class decides (headers, tokens, catalogue, accounts, streams' ends)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import httpx

from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.emulator.quota import account_of
from copilot_gateway.observability.record import RequestRecord
from copilot_gateway.settings import Settings
from copilot_gateway.upstreams.base import Endpoint, EventStream, Json, Upstream
from copilot_gateway.upstreams.client import make_client
from copilot_gateway.upstreams.copilot.pool import CopilotPool
from copilot_gateway.upstreams.copilot.upstream import CopilotUpstream

T = TypeVar("T")
U = TypeVar("U", bound=Upstream)
GITHUB_TOKEN = "gho_test_github_token"
# Any base will do: the transport hands every request to the emulator app, which names it as
# the Copilot API base in its token answer (so the token may be sent there).
EMULATOR_URL = "http://copilot-emulator.internal"


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "upstream": "copilot",
        "github_token": GITHUB_TOKEN,
        "github_api_url": EMULATOR_URL,
        "api_keys": "sk-unit",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def copilot_on(
    emulator: CopilotEmulator,
    github_token: str = GITHUB_TOKEN,
    account: str = "default",
    **overrides: object,
) -> CopilotUpstream:
    """One Copilot account whose GitHub and Copilot are this emulator, in-process."""
    chosen = settings(**overrides)
    client = make_client(chosen, httpx.ASGITransport(app=emulator.app))
    return CopilotUpstream(client, chosen, github_token, account)


def record() -> RequestRecord:
    return RequestRecord("POST", "/unit")


def run(upstream: U, work: Callable[[U], Awaitable[T]]) -> T:
    """work(upstream) in an event loop of its own, the upstream closed after."""

    async def main() -> T:
        try:
            return await work(upstream)
        finally:
            await upstream.aclose()

    return asyncio.run(main())


async def drained(events: EventStream) -> list[Json]:
    return [event async for event in events]


def call_once(
    emulator: CopilotEmulator,
    endpoint: Endpoint,
    body: Json,
    headers: Mapping[str, str] | None = None,
) -> Json:
    """One call by a fresh account, after its catalogue (the gateway reads that first, to
    check the model): the emulator's last seen headers are the call's."""

    async def work(copilot: CopilotUpstream) -> Json:
        await copilot.models()
        return await copilot.call(endpoint, body, record(), headers)

    return run(copilot_on(emulator), work)


def pool_on(emulator: CopilotEmulator, tokens: Mapping[str, str]) -> CopilotPool:
    """A pool of these accounts (name -> GitHub token), in order, on this emulator."""
    members = [copilot_on(emulator, token, name) for name, token in tokens.items()]
    return CopilotPool(members, cooldown_seconds=60)


def served_by(emulator: CopilotEmulator, tokens: Mapping[str, str]) -> str:
    """The account (by name) of the emulator's last call."""
    token = emulator.state.seen_headers[-1]["authorization"]
    tenant = token.split("tid=")[1].split(";")[0]
    return next(name for name, github in tokens.items() if account_of(github) == tenant)
