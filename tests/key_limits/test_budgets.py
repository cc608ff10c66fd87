"""Budgets in AI Credits, counted by one gateway process (no Redis), through a real gateway
on the emulator (which bills by tokens, as Copilot does)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anthropic
import httpx
import openai
import pytest
from limited_keys import (
    AUTH,
    KEY,
    KEY_NAME,
    billed,
    chat,
    in_one_window,
    limits_config,
    metric,
    ratelimit_headers,
)

from conftest import AUTH as UNLIMITED_AUTH
from copilot_gateway.key_limits.budgets import DAY_SECONDS, month_of
from servers import CopilotEmulator, StreamGate, gated, gateway_app, gateway_settings, running

PRICED = "claude-sonnet-4.5"  # billed by its tokens (the emulator's GPT-4o is included: free)
MESSAGE = {"model": PRICED, "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}


@contextmanager
def budgeted_gateway(tmp_path: Path, **budgets: float) -> Iterator[tuple[str, CopilotEmulator]]:
    """A gateway whose key `team` has these budgets, on an emulator of its own."""
    config = limits_config(tmp_path, **budgets)
    emulator = CopilotEmulator()
    with (
        running(emulator.app) as emulator_url,
        running(gateway_app(gateway_settings(emulator_url, config_file=config))) as url,
    ):
        yield url, emulator


def post(url: str, path: str = "/v1/chat/completions", body: dict | None = None) -> httpx.Response:
    return httpx.post(f"{url}{path}", json=body or chat(model=PRICED), headers=AUTH, timeout=30)


def refused_until(url: str, ends_at: float, path: str = "/v1/chat/completions") -> httpx.Response:
    """A refused request, its retry-after checked against the seconds to the window's end
    when it was sent and when its answer came (however long it took in between)."""
    body = MESSAGE if path == "/v1/messages" else None
    before = ends_at - time.time()
    answer = post(url, path, body)
    after = ends_at - time.time()
    assert answer.status_code == 429, answer.text
    assert after - 1 <= int(answer.headers["retry-after"]) <= before + 1
    assert answer.headers["x-should-retry"] == "false"  # SDKs would retry a 429 otherwise
    assert KEY not in answer.text
    return answer


def spend_until_refused(url: str, path: str = "/v1/chat/completions") -> list[httpx.Response]:
    """Requests one after the other until one is refused: the admitted ones, then it."""
    body = MESSAGE if path == "/v1/messages" else None
    answers = [post(url, path, body)]
    while answers[-1].status_code == 200 and len(answers) < 50:
        answers.append(post(url, path, body))
    return answers


def test_a_key_spends_its_daily_budget_then_gets_insufficient_quota_until_midnight_utc(
    tmp_path: Path,
) -> None:
    budget = 0.1  # a few requests' worth

    def spend_the_day() -> None:
        with budgeted_gateway(tmp_path, credits_per_day=budget) as (url, emulator):
            refusals = metric(url, "gateway_limited_requests_total", limit="credits_per_day")
            *admitted, first_refused = spend_until_refused(url)
            assert first_refused.status_code == 429
            assert len(admitted) >= 2 and all(a.status_code == 200 for a in admitted)
            spent, each = billed(emulator), billed(emulator) / len(admitted)
            # One at a time, the budget is exceeded by the last admitted request at most.
            assert budget <= spent < budget + each
            # Each answer says what is left once its own cost is taken off.
            left = [float(a.headers["x-ratelimit-remaining-credits-day"]) for a in admitted]
            expected = [max(0.0, budget - each * (n + 1)) for n in range(len(admitted))]
            assert all(abs(a - b) < 0.0002 for a, b in zip(left, expected, strict=True)), left
            assert admitted[0].headers["x-ratelimit-limit-credits-day"] == "0.1"
            midnight = (time.time() // DAY_SECONDS + 1) * DAY_SECONDS
            refused = refused_until(url, midnight)
            assert billed(emulator) == spent  # refused before the upstream was asked
            error = refused.json()["error"]
            assert (error["type"], error["code"], error["param"]) == (
                "insufficient_quota",
                "insufficient_quota",
                None,
            )
            renewal = time.strftime("%Y-%m-%d 00:00 UTC", time.gmtime(midnight))
            assert error["message"] == (
                f"Key '{KEY_NAME}' has spent its daily budget (credits_per_day) of 0.1 AI "
                f"Credits; it renews at {renewal}."
            )
            headers = ratelimit_headers(refused)
            assert set(headers) == {
                "x-ratelimit-limit-credits-day",
                "x-ratelimit-remaining-credits-day",
                "x-ratelimit-reset-credits-day",
            }
            assert headers["x-ratelimit-limit-credits-day"] == "0.1"
            assert headers["x-ratelimit-remaining-credits-day"] == "0"
            assert headers["x-ratelimit-reset-credits-day"].endswith("s")
            after = metric(url, "gateway_limited_requests_total", limit="credits_per_day")
            assert after - refusals == 2
            # What costs nothing is still served, and says what is left.
            models = httpx.get(f"{url}/v1/models", headers=AUTH)
            assert models.status_code == 200
            assert models.headers["x-ratelimit-remaining-credits-day"] == "0"
            # Other keys are not limited, and are told nothing of this one.
            other = httpx.post(
                f"{url}/v1/chat/completions", json=chat(model=PRICED), headers=UNLIMITED_AUTH
            )
            assert other.status_code == 200 and ratelimit_headers(other) == {}

    in_one_window(DAY_SECONDS, spend_the_day, lambda: None)  # each run starts a new gateway


def test_a_spent_monthly_budget_refuses_until_the_first_of_next_month(tmp_path: Path) -> None:
    def spend_the_month() -> None:
        with budgeted_gateway(tmp_path, credits_per_day=100, credits_per_month=0.05) as (url, _):
            *admitted, _ = spend_until_refused(url)
            assert admitted and all(a.status_code == 200 for a in admitted)
            refused = refused_until(url, month_of(time.time()).ends_at)
            assert refused.json()["error"]["code"] == "insufficient_quota"
            assert "monthly budget (credits_per_month) of 0.05 AI Credits" in refused.text
            headers = ratelimit_headers(refused)
            assert headers["x-ratelimit-limit-credits-month"] == "0.05"
            assert headers["x-ratelimit-remaining-credits-month"] == "0"
            assert headers["x-ratelimit-limit-credits-day"] == "100"
            assert 99 < float(headers["x-ratelimit-remaining-credits-day"]) < 100

    in_one_window(DAY_SECONDS, spend_the_month, lambda: None)  # a month ends at a day's end


def test_the_anthropic_surface_answers_a_spent_budget_in_its_own_shape(tmp_path: Path) -> None:
    def spend_on_messages() -> None:
        with budgeted_gateway(tmp_path, credits_per_day=0.01) as (url, _):
            *admitted, _ = spend_until_refused(url, "/v1/messages")
            assert admitted and all(a.status_code == 200 for a in admitted)
            assert "x-ratelimit-remaining-credits-day" in admitted[0].headers
            midnight = (time.time() // DAY_SECONDS + 1) * DAY_SECONDS
            refused = refused_until(url, midnight, "/v1/messages")
            body = refused.json()
            # A 429 rate_limit_error is what Anthropic's clients know: they wait, and with
            # `x-should-retry: false` they do not retry.
            assert body["type"] == "error"
            assert body["error"]["type"] == "rate_limit_error"
            assert "daily budget (credits_per_day) of 0.01 AI Credits" in body["error"]["message"]
            assert refused.headers["request-id"]
            assert refused.headers["x-ratelimit-remaining-credits-day"] == "0"

    in_one_window(DAY_SECONDS, spend_on_messages, lambda: None)


def test_a_streams_cost_is_settled_when_it_ends(tmp_path: Path) -> None:
    budget = 1.0
    config = limits_config(tmp_path, credits_per_day=budget)
    streamed = chat(model=PRICED, stream=True, stream_options={"include_usage": True})

    async def scenario(url: str, gate: StreamGate) -> tuple[str, str, float]:
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            request = client.stream("POST", f"{url}/v1/chat/completions", json=streamed)
            async with request as stream:
                assert stream.status_code == 200
                at_start = stream.headers["x-ratelimit-remaining-credits-day"]
                # It waits at the gate before its end: nothing of it is settled yet.
                during = await client.get(f"{url}/v1/models")
                gate.open()
                await stream.aread()
            # It settles as its response ends, a moment after the client read its last byte;
            # a model list spends nothing, so it can watch for that moment.
            deadline = asyncio.get_running_loop().time() + 60
            while (left := await remaining_credits(client, url)) == budget:
                if asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.05)
            return at_start, during.headers["x-ratelimit-remaining-credits-day"], left

    def stream_and_settle() -> None:
        emulator = CopilotEmulator()
        with (
            gated(emulator.app) as (emulator_url, gate),
            running(gateway_app(gateway_settings(emulator_url, config_file=config))) as url,
        ):
            at_start, during, left = asyncio.run(scenario(url, gate))
        assert (at_start, during) == ("1", "1")
        assert left < budget, "the stream's cost was never settled"
        assert abs(left - (budget - billed(emulator))) < 0.0002  # what it cost, nothing else

    in_one_window(DAY_SECONDS, stream_and_settle, lambda: None)


async def remaining_credits(client: httpx.AsyncClient, url: str) -> float:
    models = await client.get(f"{url}/v1/models")
    return float(models.headers["x-ratelimit-remaining-credits-day"])


def test_the_official_sdks_raise_on_a_spent_budget_without_retrying_it(tmp_path: Path) -> None:
    def refused_once_each() -> None:
        with budgeted_gateway(tmp_path, credits_per_day=0.01) as (url, _):
            assert post(url).status_code == 200  # spends it
            before = metric(url, "gateway_limited_requests_total", limit="credits_per_day")
            openai_client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=2)
            with pytest.raises(openai.RateLimitError) as refused:
                openai_client.chat.completions.create(
                    model=PRICED, messages=[{"role": "user", "content": "Hi"}]
                )
            assert refused.value.code == "insufficient_quota"
            anthropic_client = anthropic.Anthropic(base_url=url, api_key=KEY, max_retries=2)
            with pytest.raises(anthropic.RateLimitError):
                anthropic_client.messages.create(
                    model=PRICED, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
                )
            after = metric(url, "gateway_limited_requests_total", limit="credits_per_day")
            assert after - before == 2  # one request each: neither SDK retried

    in_one_window(DAY_SECONDS, refused_once_each, lambda: None)
