"""Without GATEWAY_REDIS_URL, one gateway process counts its keys' limits itself."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from limited_keys import AUTH, KEY_NAME, chat, limits_config, metric, post_all, ratelimit_headers

from conftest import AUTH as UNLIMITED_AUTH
from servers import CopilotEmulator, gated, gateway_app, gateway_settings, running, until


@pytest.fixture
def limited_gateway(
    request: pytest.FixtureRequest, tmp_path: Path, emulator_url: str
) -> Iterator[str]:
    config = limits_config(tmp_path, **request.param)
    with running(gateway_app(gateway_settings(emulator_url, config_file=config))) as url:
        yield url


@pytest.mark.parametrize("limited_gateway", [{"rpm": 5}], indirect=True)
def test_one_process_admits_exactly_rpm_of_concurrent_requests(limited_gateway: str) -> None:
    limited_before = metric(
        limited_gateway, "gateway_limited_requests_total", key=KEY_NAME, limit="rpm"
    )
    responses = asyncio.run(post_all([limited_gateway] * 12, chat()))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 5 + [429] * 7
    assert all(ratelimit_headers(r)["x-ratelimit-limit-requests"] == "5" for r in responses)
    limited_after = metric(
        limited_gateway, "gateway_limited_requests_total", key=KEY_NAME, limit="rpm"
    )
    assert limited_after - limited_before == 7


@pytest.mark.parametrize("limited_gateway", [{"rpm": 100}], indirect=True)
def test_keys_without_limits_get_no_ratelimit_headers(limited_gateway: str) -> None:
    limited = httpx.post(f"{limited_gateway}/v1/chat/completions", json=chat(), headers=AUTH)
    unlimited = httpx.post(
        f"{limited_gateway}/v1/chat/completions", json=chat(), headers=UNLIMITED_AUTH
    )
    assert limited.status_code == unlimited.status_code == 200
    assert set(ratelimit_headers(limited)) == {
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
    }
    assert ratelimit_headers(unlimited) == {}


def test_max_parallel_is_freed_by_errors_and_by_clients_that_leave(tmp_path: Path) -> None:
    config = limits_config(tmp_path, max_parallel=1)
    with (
        gated(CopilotEmulator().app) as (emulator_url, gate),
        running(gateway_app(gateway_settings(emulator_url, config_file=config))) as gateway,
    ):
        url = f"{gateway}/v1/chat/completions"
        for _ in range(3):  # each error frees the slot for the next request
            failed = httpx.post(url, json=chat(model="no-such-model"), headers=AUTH)
            assert failed.status_code == 404
            assert ratelimit_headers(failed) == {}  # max_parallel alone: no rate headers
        with (
            httpx.Client(headers=AUTH, timeout=30) as client,
            client.stream("POST", url, json=chat(stream=True)) as stream,
        ):
            assert stream.status_code == 200
            gate.wait_until_held()  # the stream waits there, its slot taken, till it is left
            assert httpx.post(url, json=chat(), headers=AUTH).status_code == 429
        # The client left mid-stream: its slot comes back once the gateway notices.
        assert until(
            lambda: httpx.post(url, json=chat(), headers=AUTH).status_code == 200, every=0.1
        )
        assert until(lambda: gate.left == 1)  # and its upstream stream was let go
