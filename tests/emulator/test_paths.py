"""The paths Copilot has and has not: native `/v1/messages/count_tokens` for the models it
serves on `/v1/messages`; none of OpenAI's stored-response sub-resources, and no state
over HTTP (`store`, `background`, `previous_response_id` refused)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio
MESSAGES = {"anthropic-version": "2023-06-01"}
SAID = [{"role": "user", "content": "count these words for me please"}]


TOOL = {"name": "look", "description": "Look it up.", "input_schema": {"type": "object"}}


async def input_tokens(copilot: httpx.AsyncClient, **fields: object) -> int:
    """The count Copilot gives, checked to be what the Messages answer bills as input."""
    body = {"model": "claude-sonnet-4.6", "messages": SAID, **fields}
    counted = await copilot.post("/v1/messages/count_tokens", json=body, headers=MESSAGES)
    assert counted.status_code == 200
    assert not [name for name in counted.headers if name.startswith("x-quota")]  # nothing billed
    answer = await copilot.post("/v1/messages", json={**body, "max_tokens": 50}, headers=MESSAGES)
    assert counted.json() == {"input_tokens": answer.json()["usage"]["input_tokens"]}
    return int(counted.json()["input_tokens"])


async def test_count_tokens_counts_as_the_messages_answer_does(copilot: httpx.AsyncClient) -> None:
    turns = await input_tokens(copilot)
    # The system prompt counts, and tools: their definitions and Claude's tool-use prompt.
    with_system = await input_tokens(copilot, system="Answer in one word.")
    assert turns < with_system < turns + 20
    with_tools = await input_tokens(copilot, tools=[TOOL])
    assert with_tools > turns + 346
    forced = await input_tokens(copilot, tools=[TOOL], tool_choice={"type": "any"})
    assert forced == with_tools - (346 - 313)


@pytest.mark.parametrize(
    ("model", "code"),
    [
        ("gpt-4o", "unsupported_api_for_model"),
        ("gpt-5.4", "unsupported_api_for_model"),
        ("no-such-model", "model_not_supported"),
        ("text-embedding-3-small", "model_not_supported"),
        ("claude-opus-4.6-fast", "model_not_supported"),
    ],
)
async def test_count_tokens_refuses_what_messages_does_not_serve(
    copilot: httpx.AsyncClient, model: str, code: str
) -> None:
    body = {"model": model, "messages": SAID}
    refused = await copilot.post("/v1/messages/count_tokens", json=body, headers=MESSAGES)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/responses/compact"),
        ("POST", "/responses/input_tokens"),
        ("GET", "/responses/resp_123"),
        ("DELETE", "/responses/resp_123"),
        ("POST", "/responses/resp_123/cancel"),
        ("GET", "/responses/resp_123/input_items"),
    ],
)
async def test_responses_sub_resources_do_not_exist(
    copilot: httpx.AsyncClient, method: str, path: str
) -> None:
    body = {"model": "gpt-5.4", "input": "hi"} if method == "POST" else None
    assert (await copilot.request(method, path, json=body)).status_code == 404


@pytest.mark.parametrize(
    "stateful", [{"store": True}, {"background": True}, {"previous_response_id": "resp_1"}]
)
async def test_http_responses_keep_no_state(
    copilot: httpx.AsyncClient, stateful: dict[str, object]
) -> None:
    body = {"model": "gpt-5.4", "input": "hi", **stateful}
    refused = await copilot.post("/responses", json=body)
    assert refused.status_code == 400
    assert next(iter(stateful)) in refused.json()["error"]["message"]
    assert (
        await copilot.post("/responses", json={**body, **dict.fromkeys(stateful, None)})
    ).status_code == 200
