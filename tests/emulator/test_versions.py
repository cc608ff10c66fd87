"""Copilot's client-version gate: 466, with Copilot's body, for an `X-GitHub-Api-Version`
or `Editor-Plugin-Version` older than the emulator's configured minimum."""

from __future__ import annotations

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator

pytestmark = pytest.mark.anyio
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
CURRENT = {"X-GitHub-Api-Version": "2026-06-01", "Editor-Plugin-Version": "copilot-chat/0.52.0"}
UNSUPPORTED = (
    "bad request: the specified API version is no longer supported. "
    "You may need to update your client to a newer version.\n"
)


@pytest.mark.parametrize(
    "stale",
    [
        {"X-GitHub-Api-Version": "2025-05-01"},
        {"Editor-Plugin-Version": "copilot-chat/0.37.4"},
        {"Editor-Plugin-Version": "copilot-chat/0.26.7"},
    ],
)
async def test_a_stale_client_is_466_with_copilots_body(
    copilot: httpx.AsyncClient, stale: dict[str, str]
) -> None:
    for path, method in (("/chat/completions", "POST"), ("/models", "GET")):
        response = await copilot.request(
            method, path, json=CHAT if method == "POST" else None, headers={**CURRENT, **stale}
        )
        assert response.status_code == 466
        assert response.json() == {"error": {"message": UNSUPPORTED, "type": "error"}}


async def test_todays_client_passes(copilot: httpx.AsyncClient) -> None:
    assert (await copilot.post("/chat/completions", json=CHAT, headers=CURRENT)).status_code == 200
    # The gateway's defaults pass too: 2026-06-01 and copilot-chat/0.52.0 are current.
    minimum = {"X-GitHub-Api-Version": "2026-01-09", "Editor-Plugin-Version": "copilot-chat/0.40.0"}
    assert (await copilot.post("/chat/completions", json=CHAT, headers=minimum)).status_code == 200


async def test_another_plugin_is_not_compared(copilot: httpx.AsyncClient) -> None:
    other = {**CURRENT, "Editor-Plugin-Version": "copilot-intellij/0.1.0"}
    assert (await copilot.post("/chat/completions", json=CHAT, headers=other)).status_code == 200


async def test_the_minimums_are_configurable(
    emulator: CopilotEmulator, copilot: httpx.AsyncClient
) -> None:
    emulator.config.min_api_version = "2026-07-01"
    refused = await copilot.post("/chat/completions", json=CHAT, headers=CURRENT)
    assert refused.status_code == 466
    emulator.config.min_api_version = "2026-01-09"
    emulator.config.min_plugin_version = "copilot-chat/0.60.0"
    assert (await copilot.post("/chat/completions", json=CHAT, headers=CURRENT)).status_code == 466
