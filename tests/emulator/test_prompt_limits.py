"""A prompt over the model's `max_prompt_tokens`, as the request's API version sees it, is
Copilot's 400 `model_max_prompt_tokens_exceeded` on every endpoint."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio
OVER_272K = "hello " * 300_000
OVER_128K = "hello " * 150_000
NEW_API = {"X-GitHub-Api-Version": "2026-06-01"}
OLD_API = {"X-GitHub-Api-Version": "2026-01-09"}


def over_the_limit(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "model_max_prompt_tokens_exceeded"
    assert f"limit of {limit}" in error["message"]


async def test_responses_refuse_a_prompt_over_the_limit(copilot: httpx.AsyncClient) -> None:
    body = {"model": "gpt-5.3-codex", "input": OVER_272K}
    over_the_limit(await copilot.post("/responses", json=body, headers=NEW_API), 272000)


async def test_messages_refuse_a_prompt_over_the_limit(copilot: httpx.AsyncClient) -> None:
    body = {
        "model": "claude-sonnet-4",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": OVER_128K}],
    }
    headers = {"anthropic-version": "2023-06-01"}
    over_the_limit(await copilot.post("/v1/messages", json=body, headers=headers), 128000)


async def test_the_million_token_limit_holds_only_from_2026_06_01(
    copilot: httpx.AsyncClient,
) -> None:
    body = {"model": "gpt-5.4", "input": OVER_272K}
    over_the_limit(await copilot.post("/responses", json=body, headers=OLD_API), 272000)
    served = await copilot.post("/responses", json=body, headers=NEW_API)
    assert served.status_code == 200
    # Past 272K prompt tokens the whole request is billed at the long-context tier.
    details = {i["token_type"]: i for i in served.json()["copilot_usage"]["token_details"]}
    assert details["input"]["cost_per_batch"] == 500 * 10**9
