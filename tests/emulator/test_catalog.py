"""The emulator's `/models` is Copilot's 2026 catalogue: today's ids and endpoints, limits by
API version, both billing shapes, the plans that offer each model."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, catalog

from .conftest import copilot_of

pytestmark = pytest.mark.anyio
NEW_API = {"X-GitHub-Api-Version": "2026-06-01"}
OLD_API = {"X-GitHub-Api-Version": "2026-01-09"}
KEPT = [
    "gpt-4.1",
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-5-mini",
    "claude-sonnet-4",
    "gemini-2.5-pro",
    "text-embedding-3-small",
    "text-embedding-ada-002",
    "gpt-41-copilot",
]
NEW = [
    "gpt-5.4",
    "gpt-5.5",
    "gpt-5.6-sol",
    "gpt-5.3-codex",
    "claude-opus-4.6",
    "claude-opus-4.8",
    "claude-sonnet-4.6",
    "claude-sonnet-5",
    "claude-haiku-4.5",
    "claude-opus-4.6-fast",
    "claude-opus-4.8-1m",
    "gemini-3.1-pro-preview",
    "gemini-3.5-flash",
    "raptor-mini",
]
DROPPED = [
    "gpt-5",
    "o3-mini",
    "o4-mini",
    "claude-3.5-sonnet",
    "claude-3.7-sonnet",
    "claude-opus-4",
    "gemini-2.0-flash-001",
    "gpt-5-codex",
]


async def catalogue(client: httpx.AsyncClient, **headers: str) -> dict[str, dict[str, Any]]:
    response = await client.get("/models", headers=headers)
    assert response.status_code == 200
    return {model["id"]: model for model in response.json()["data"]}


async def test_the_catalogue_has_todays_ids_and_none_of_the_dropped(
    copilot: httpx.AsyncClient,
) -> None:
    models = await catalogue(copilot, **NEW_API)
    assert set(KEPT + NEW) <= set(models)
    assert not set(DROPPED) & set(models)


async def test_gpt_5_4_and_later_are_served_on_responses_only_over_http_and_websocket(
    copilot: httpx.AsyncClient,
) -> None:
    models = await catalogue(copilot)
    for model_id in ("gpt-5.4", "gpt-5.5", "gpt-5.6-sol"):
        assert models[model_id]["supported_endpoints"] == ["/responses", "ws:/responses"]
    assert models["gpt-5.3-codex"]["supported_endpoints"] == ["/responses"]
    for model_id in ("claude-opus-4.8", "claude-sonnet-4.6", "claude-opus-4.8-1m"):
        assert models[model_id]["supported_endpoints"] == ["/chat/completions", "/v1/messages"]
    assert models["gemini-3.1-pro-preview"]["supported_endpoints"] == ["/chat/completions"]


async def test_the_million_token_context_shows_only_from_api_version_2026_06_01(
    copilot: httpx.AsyncClient,
) -> None:
    new, old, none = (
        await catalogue(copilot, **NEW_API),
        await catalogue(copilot, **OLD_API),
        await catalogue(copilot),
    )
    for model_id in ("gpt-5.4", "claude-opus-4.8-1m", "claude-sonnet-5"):
        limits = new[model_id]["capabilities"]["limits"]
        assert limits["max_context_window_tokens"] >= 1_000_000
        for before in (old, none):
            assert before[model_id]["capabilities"]["limits"]["max_context_window_tokens"] < 1e6
    # The long tier's bound follows the larger prompt limit.
    long_tier = new["gpt-5.4"]["billing"]["token_prices"]["long_context"]
    assert (
        long_tier["max_prompt_tokens"]
        == new["gpt-5.4"]["capabilities"]["limits"]["max_prompt_tokens"]
    )
    # Models without a larger context read the same on every version.
    assert new["gpt-4o"] == old["gpt-4o"]


async def test_prices_come_flat_in_nano_aiu_or_tiered_in_credits(
    copilot: httpx.AsyncClient,
) -> None:
    models = await catalogue(copilot, **NEW_API)
    flat = models["claude-sonnet-4.6"]["billing"]["token_prices"]
    # $3 / $15 / $0.30 per 1M tokens, in nano-AIU per batch (reference §1.2).
    assert flat == {
        "batch_size": 1_000_000,
        "input_price": 300_000_000_000,
        "output_price": 1_500_000_000_000,
        "cache_price": 30_000_000_000,
    }
    tiered = models["gpt-5.4"]["billing"]["token_prices"]
    assert tiered["batch_size"] == 1_000_000
    assert (tiered["default"]["input_price"], tiered["default"]["output_price"]) == (250, 1500)
    assert tiered["default"]["cache_read_price"] == 25
    assert tiered["default"]["max_prompt_tokens"] == 272000
    assert (tiered["long_context"]["input_price"], tiered["long_context"]["output_price"]) == (
        500,
        2250,
    )


async def test_legacy_billing_fields_stay_and_free_models_cost_nothing(
    copilot: httpx.AsyncClient,
) -> None:
    models = await catalogue(copilot)
    for model_id in ("gpt-4.1", "gpt-4o", "gpt-4o-mini", "gpt-5-mini", "raptor-mini"):
        billing = models[model_id]["billing"]
        assert (billing["is_premium"], billing["multiplier"]) == (False, 0)
        assert "token_prices" not in billing
    premium = models["claude-opus-4.8"]["billing"]
    assert premium["is_premium"] and premium["multiplier"] > 0
    assert "pro_plus" in premium["restricted_to"]


async def test_each_model_says_its_price_category_and_what_it_supports(
    copilot: httpx.AsyncClient,
) -> None:
    models = await catalogue(copilot)
    chat = [m for m in models.values() if m["capabilities"]["type"] == "chat"]
    assert {m["model_picker_price_category"] for m in chat} <= {
        "low",
        "medium",
        "high",
        "very_high",
    }
    assert models["gpt-4o"]["model_picker_price_category"] == "low"
    assert models["claude-opus-4.8-fast"]["model_picker_price_category"] == "very_high"
    assert "xhigh" in models["gpt-5.4"]["capabilities"]["supports"]["reasoning_effort"]
    assert models["claude-opus-4.8"]["capabilities"]["supports"]["thinking"] is True
    assert all(m["policy"]["state"] in ("enabled", "disabled") for m in chat)


async def test_one_model_is_disabled_by_policy_and_one_id_listed_twice(
    copilot: httpx.AsyncClient,
) -> None:
    listed = (await copilot.get("/models")).json()["data"]
    ids = [model["id"] for model in listed]
    assert ids.count("gpt-4o") == 2
    fast = next(model for model in listed if model["id"] == "claude-opus-4.6-fast")
    assert fast["policy"]["state"] == "disabled"
    body = {"model": "claude-opus-4.6-fast", "messages": [{"role": "user", "content": "hi"}]}
    refused = await copilot.post("/chat/completions", json=body)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "model_not_supported"


@pytest.mark.parametrize(
    ("github_token", "plan_offers", "plan_lacks"),
    [
        ("gho_free_someone", "claude-haiku-4.5", "claude-sonnet-4.6"),
        ("gho_pro_someone", "claude-sonnet-4.6", "claude-opus-4.7"),
        ("gho_plus_someone", "gpt-5.5", "claude-opus-4.6"),
        ("gho_business_someone", "claude-opus-4.6", "raptor-mini"),
    ],
)
async def test_a_plan_sees_and_calls_only_the_models_it_offers(
    emulator: CopilotEmulator, github_token: str, plan_offers: str, plan_lacks: str
) -> None:
    async with copilot_of(emulator, github_token) as client:
        models = await catalogue(client)
        assert plan_offers in models and plan_lacks not in models
        body = {"model": plan_lacks, "messages": [{"role": "user", "content": "hi"}]}
        refused = await client.post("/chat/completions", json=body)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "model_not_supported"


async def test_the_catch_all_account_is_offered_every_model(
    emulator: CopilotEmulator, copilot: httpx.AsyncClient
) -> None:
    for github_token in ("gho_emulator", "gho_test_github_token"):
        async with copilot_of(emulator, github_token) as client:
            models = await catalogue(client)
        assert set(models) == set(catalog.BY_ID)


async def test_the_model_list_carries_no_quota_headers(copilot: httpx.AsyncClient) -> None:
    response = await copilot.get("/models")
    assert not [name for name in response.headers if name.startswith(("x-quota", "x-usage"))]
