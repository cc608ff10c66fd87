"""Many streams at once through one gateway process: every one complete, none lost."""

from __future__ import annotations

import asyncio

import httpx

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig
from servers import gateway_settings, running, serving

STREAMS = 500


def test_500_concurrent_streams_all_complete() -> None:
    emulator = CopilotEmulator(EmulatorConfig(token_interval_ms=20))
    body = {
        "model": "gpt-4o",
        "stream": True,
        "messages": [{"role": "user", "content": "a b c d e f"}],
    }

    async def one(client: httpx.AsyncClient) -> tuple[int, bool, int]:
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            events = [line async for line in response.aiter_lines() if line.startswith("data: ")]
        return response.status_code, events[-1] == "data: [DONE]", len(events)

    async def all_at_once(url: str) -> list[tuple[int, bool, int]]:
        limits = httpx.Limits(max_connections=STREAMS)
        headers = {"Authorization": "Bearer sk-test-key"}
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=120
        ) as client:
            await client.get("/v1/models")  # the token exchange, once
            return await asyncio.gather(*(one(client) for _ in range(STREAMS)))

    with (
        running(emulator.app) as emulator_url,
        serving(gateway_settings(emulator_url)) as url,
    ):
        outcomes = asyncio.run(all_at_once(url))
    assert [status for status, _, _ in outcomes] == [200] * STREAMS
    assert all(done for _, done, _ in outcomes)
    assert len({count for _, _, count in outcomes}) == 1  # the same events in every stream
