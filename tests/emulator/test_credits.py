"""Every answer carries Copilot's bill, `copilot_usage`, where Copilot puts it on each
endpoint, and the bill agrees with the usage the answer reports and the model's prices."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

pytestmark = pytest.mark.anyio
MESSAGES = {"anthropic-version": "2023-06-01"}
NEW_API = {"X-GitHub-Api-Version": "2026-06-01"}
HI = [{"role": "user", "content": "hi there"}]
FREE_BILL = {"token_details": [], "total_nano_aiu": 0}


def events(text: str) -> list[dict[str, Any]]:
    return [
        orjson.loads(line.removeprefix("data: "))
        for line in text.splitlines()
        if line.startswith("data: {")
    ]


def price_of(model: dict[str, Any], kind: str, prompt_tokens: int) -> int:
    """nano-AIU per 1M tokens, read from the model's `/models` entry as a client would."""
    prices = model["billing"]["token_prices"]
    if "default" not in prices:
        return int(prices[{"input": "input_price", "output": "output_price"}[kind]])
    tier = prices["default"]
    if "long_context" in prices and prompt_tokens > tier["max_prompt_tokens"]:
        tier = prices["long_context"]
    return round(tier[f"{kind}_price"] * 1e9)


async def entry(copilot: httpx.AsyncClient, model_id: str) -> dict[str, Any]:
    listed = (await copilot.get("/models", headers=NEW_API)).json()["data"]
    return next(model for model in listed if model["id"] == model_id)


def check_bill(bill: dict[str, Any], model: dict[str, Any], input_tokens: int, output: int) -> None:
    details = {item["token_type"]: item for item in bill["token_details"]}
    assert details["input"]["token_count"] == input_tokens
    assert details["output"]["token_count"] == output
    for kind, item in details.items():
        assert item["batch_size"] == 1_000_000
        assert item["cost_per_batch"] == price_of(model, kind, input_tokens)
    total = sum(i["token_count"] * i["cost_per_batch"] for i in details.values()) / 1_000_000
    assert bill["total_nano_aiu"] == round(total) > 0


async def test_chat_bills_beside_usage(copilot: httpx.AsyncClient) -> None:
    body = {"model": "claude-sonnet-4.6", "messages": HI}
    answer = (await copilot.post("/chat/completions", json=body, headers=NEW_API)).json()
    usage = answer["usage"]
    model = await entry(copilot, "claude-sonnet-4.6")
    check_bill(answer["copilot_usage"], model, usage["prompt_tokens"], usage["completion_tokens"])


async def test_a_chat_stream_bills_on_a_late_chunk_of_its_own(copilot: httpx.AsyncClient) -> None:
    body = {
        "model": "gemini-3.1-pro-preview",
        "messages": HI,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    chunks = events((await copilot.post("/chat/completions", json=body, headers=NEW_API)).text)
    at_usage = next(i for i, chunk in enumerate(chunks) if chunk.get("usage"))
    (at_bill,) = [i for i, chunk in enumerate(chunks) if "copilot_usage" in chunk]
    assert at_bill > at_usage and chunks[at_bill]["choices"] == []
    usage = chunks[at_usage]["usage"]
    model = await entry(copilot, "gemini-3.1-pro-preview")
    check_bill(
        chunks[at_bill]["copilot_usage"], model, usage["prompt_tokens"], usage["completion_tokens"]
    )


async def billed_both_ways(
    copilot: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """The streamed event that bills, after checking the answer's own bill (its usage named
    `input_tokens` and `output_tokens`, as on Responses and Messages) and that both agree."""
    model = await entry(copilot, body["model"])
    answer = (await copilot.post(path, json=body, headers=headers)).json()
    usage = answer["usage"]
    check_bill(answer["copilot_usage"], model, usage["input_tokens"], usage["output_tokens"])
    streamed = events(
        (await copilot.post(path, json={**body, "stream": True}, headers=headers)).text
    )
    (billing,) = [event for event in streamed if "copilot_usage" in event]
    assert billing["copilot_usage"] == answer["copilot_usage"]
    return billing | {"last": billing is streamed[-1]}


async def test_responses_bill_at_the_top_level_and_on_the_terminal_event(
    copilot: httpx.AsyncClient,
) -> None:
    body = {"model": "gpt-5.4", "input": "hi there"}
    terminal = await billed_both_ways(copilot, "/responses", body, NEW_API)
    assert terminal["last"] and terminal["type"] == "response.completed"


async def test_messages_bill_on_the_message_and_on_message_delta(
    copilot: httpx.AsyncClient,
) -> None:
    body = {"model": "claude-opus-4.8", "max_tokens": 100, "messages": HI}
    delta = await billed_both_ways(copilot, "/v1/messages", body, {**MESSAGES, **NEW_API})
    assert delta["type"] == "message_delta"


@pytest.mark.parametrize("model", ["gpt-4.1", "gpt-4o", "gpt-4o-mini", "gpt-5-mini", "raptor-mini"])
async def test_free_models_bill_nothing(copilot: httpx.AsyncClient, model: str) -> None:
    answer = (await copilot.post("/chat/completions", json={"model": model, "messages": HI})).json()
    assert answer["copilot_usage"] == FREE_BILL


async def test_a_prompt_past_the_default_tier_is_billed_whole_at_the_long_context_rate(
    copilot: httpx.AsyncClient,
) -> None:
    """Grok 4.5's long tier starts at 200K prompt tokens, within its 240K limit."""
    model = await entry(copilot, "grok-4.5")
    tiers = model["billing"]["token_prices"]
    long_prompt = [{"role": "user", "content": "hello " * 210_000}]
    answer = (
        await copilot.post("/chat/completions", json={"model": "grok-4.5", "messages": long_prompt})
    ).json()
    usage = answer["usage"]
    assert usage["prompt_tokens"] > tiers["default"]["max_prompt_tokens"]
    details = {i["token_type"]: i for i in answer["copilot_usage"]["token_details"]}
    assert details["input"]["cost_per_batch"] == tiers["long_context"]["input_price"] * 10**9
    assert details["output"]["cost_per_batch"] == tiers["long_context"]["output_price"] * 10**9
    check_bill(answer["copilot_usage"], model, usage["prompt_tokens"], usage["completion_tokens"])
