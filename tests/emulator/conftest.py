"""The emulator in-process: its ASGI app reached through httpx's ASGI transport, a fresh
emulator for each test (building one costs nothing; no socket is involved)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator

from .asgi import Stream, streaming
from .streaming_calls import StreamingCall

BASE = "http://copilot.emulator"
EDITOR = {"Editor-Version": "vscode/1.124.2"}
GITHUB_TOKEN = {"Authorization": "token gho_abc"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def emulator() -> CopilotEmulator:
    """A fresh emulator of this test's own (the shared one's fixture, overridden here)."""
    return CopilotEmulator()


@pytest.fixture
async def github(emulator: CopilotEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the emulator with no credentials yet."""
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


@pytest.fixture
async def copilot(
    emulator: CopilotEmulator, github: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    """A client holding a Copilot token from the emulator's own exchange, as Copilot's
    clients call its API."""
    exchange = await github.get("/copilot_internal/v2/token", headers=GITHUB_TOKEN)
    assert exchange.status_code == 200
    answer = exchange.json()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app),
        base_url=answer["endpoints"]["api"],
        headers={**EDITOR, "Authorization": f"Bearer {answer['token']}"},
    ) as client:
        yield client


OpenStream = Callable[[StreamingCall], AbstractAsyncContextManager[Stream]]


@pytest.fixture
def open_stream(emulator: CopilotEmulator, copilot: httpx.AsyncClient) -> OpenStream:
    """Starts a streaming call as `copilot` would make it, to read it frame by frame."""

    def opening(call: StreamingCall) -> AbstractAsyncContextManager[Stream]:
        headers = {**copilot.headers, **call.headers}
        return streaming(emulator.app, call.path, call.body, headers)

    return opening


@asynccontextmanager
async def copilot_of(
    emulator: CopilotEmulator, github_token: str, **headers: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of Copilot's API holding a token of `github_token`'s account (its prefix
    names the plan), sending `headers` besides `Editor-Version`."""
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as github:
        exchange = await github.get(
            "/copilot_internal/v2/token", headers={"Authorization": f"token {github_token}"}
        )
    token = exchange.json()["token"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app),
        base_url=BASE,
        headers={**EDITOR, **headers, "Authorization": f"Bearer {token}"},
    ) as client:
        yield client
