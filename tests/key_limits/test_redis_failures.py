"""When Redis fails, the gateway fails open: requests are served without per-key limits,
a loud log line and `gateway_redis_errors_total` say so, and no request waits long."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from limited_keys import AUTH, chat, limits_config, metric, ratelimit_headers

from redis_server import RedisServer, running_redis
from servers import CopilotEmulator, gated, gateway_app, gateway_settings, running, until

# Far more than a bounded Redis call takes (1.5 s at most), far less than a hang.
ANSWERED_WITHIN = 10.0


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


@pytest.fixture
def gateway(tmp_path: Path, redis_server: RedisServer, emulator_url: str) -> Iterator[str]:
    config = limits_config(tmp_path, rpm=3, max_parallel=2)
    settings = gateway_settings(emulator_url, redis_url=redis_server.url, config_file=config)
    with running(gateway_app(settings)) as url:
        yield url


def timed_post(url: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.post(f"{url}/v1/chat/completions", json=chat(), headers=AUTH, timeout=60)
    return response, time.monotonic() - started


def test_redis_stopped_mid_run_serves_unlimited_with_a_loud_log_line_and_a_metric(
    gateway: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    errors_before = metric(gateway, "gateway_redis_errors_total", operation="admit")
    first, _ = timed_post(gateway)
    assert first.status_code == 200
    assert ratelimit_headers(first)["x-ratelimit-remaining-requests"] == "2"
    redis_server.stop()
    with caplog.at_level(logging.ERROR, logger="copilot_gateway.key_limits.limiter"):
        answers = [timed_post(gateway) for _ in range(5)]  # beyond rpm = 3: no limit applies
    assert all(response.status_code == 200 for response, _ in answers)
    assert all(seconds < ANSWERED_WITHIN for _, seconds in answers)
    assert all(not ratelimit_headers(response) for response, _ in answers)
    assert any("limits store failed" in record.getMessage() for record in caplog.records)
    assert metric(gateway, "gateway_redis_errors_total", operation="admit") > errors_before


def test_a_frozen_redis_costs_a_bounded_wait_never_a_hang(
    gateway: str, redis_server: RedisServer
) -> None:
    redis_server.freeze()  # the port still accepts; nothing answers
    try:
        answers = [timed_post(gateway) for _ in range(3)]
    finally:
        redis_server.thaw()
    assert [response.status_code for response, _ in answers] == [200, 200, 200]
    assert all(seconds < ANSWERED_WITHIN for _, seconds in answers)


def test_limits_apply_again_once_redis_is_back(gateway: str, redis_server: RedisServer) -> None:
    redis_server.stop()
    assert timed_post(gateway)[0].status_code == 200  # unlimited meanwhile
    redis_server.start()  # the same port, empty
    # The store is asked again once its cool-off is over (a generous bound: a signal, not
    # a guess at the machine's pace).
    answers: list[httpx.Response] = []

    def limited_again() -> bool:
        answers.append(timed_post(gateway)[0])
        return bool(ratelimit_headers(answers[-1]))

    assert until(limited_again, every=0.2), "limits did not come back"
    response = answers[-1]
    statuses = [response.status_code] + [timed_post(gateway)[0].status_code for _ in range(3)]
    assert statuses == [200, 200, 200, 429]


def test_a_spent_budget_fails_open_while_redis_is_down_and_applies_once_it_is_back(
    tmp_path: Path, redis_server: RedisServer, emulator_url: str
) -> None:
    config = limits_config(tmp_path, credits_per_day=0.01)  # one priced request spends it
    settings = gateway_settings(emulator_url, redis_url=redis_server.url, config_file=config)
    priced = chat(model="claude-sonnet-4.5")
    with running(gateway_app(settings)) as url:

        def post() -> httpx.Response:
            return httpx.post(f"{url}/v1/chat/completions", json=priced, headers=AUTH, timeout=60)

        assert post().status_code == 200
        refused = post()
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "insufficient_quota"
        errors_before = metric(url, "gateway_redis_errors_total", operation="admit")
        redis_server.stop()
        answers = [post() for _ in range(3)]  # served, spent budget or not: fail open
        assert [answer.status_code for answer in answers] == [200, 200, 200]
        assert all(not ratelimit_headers(answer) for answer in answers)
        assert metric(url, "gateway_redis_errors_total", operation="admit") > errors_before
        redis_server.start()  # the same port, empty: the day's spend starts again

        def refused_again() -> bool:
            return post().status_code == 429  # once admitted, then spent, then refused

        assert until(refused_again, every=0.2), "the budget was not enforced again"
        again = post()
        assert (again.status_code, again.json()["error"]["code"]) == (429, "insufficient_quota")


def test_a_cost_redis_cannot_take_is_counted_and_logged(
    tmp_path: Path, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    config = limits_config(tmp_path, credits_per_day=1)
    streamed = chat(model="claude-sonnet-4.5", stream=True)
    with gated(CopilotEmulator().app) as (emulator_url, gate):
        settings = gateway_settings(emulator_url, redis_url=redis_server.url, config_file=config)
        with running(gateway_app(settings)) as url:
            before = metric(url, "gateway_redis_errors_total", operation="settle")
            with (
                caplog.at_level(logging.ERROR, logger="copilot_gateway.key_limits.limiter"),
                httpx.stream(
                    "POST", f"{url}/v1/chat/completions", json=streamed, headers=AUTH, timeout=60
                ) as stream,
            ):
                assert stream.status_code == 200  # admitted while Redis answered
                gate.wait_until_held()
                redis_server.stop()
                gate.open()
                stream.read()
                # It settles as its response ends, a moment after the client read it.
                assert until(
                    lambda: metric(url, "gateway_redis_errors_total", operation="settle") > before
                )
            assert any("settle" in record.getMessage() for record in caplog.records)
