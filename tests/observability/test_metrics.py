"""`GET /metrics`: what a Prometheus scrape sees after real requests through the gateway."""

from __future__ import annotations

from pathlib import Path

import httpx

from commands import clean_env, free_port, started
from conftest import AUTH
from copilot_gateway.emulator import CopilotEmulator, Fault
from metrics_scrape import scrape, value
from servers import gated, gateway_settings, serving, until

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "count my tokens"}]}


def test_requests_are_counted_by_operation_status_and_model(client: httpx.Client) -> None:
    base = str(client.base_url)
    before = scrape(base)
    assert client.post("/v1/chat/completions", json=CHAT).status_code == 200
    assert client.get("/v1/models/no-such-model").status_code == 404
    after = scrape(base)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert (
        delta(
            "gateway_requests_total", operation="createChatCompletion", status="200", model="gpt-4o"
        )
        == 1
    )
    assert delta("gateway_requests_total", operation="retrieveModel", status="404", model="") == 1
    assert delta("gateway_request_duration_seconds_count", operation="createChatCompletion") == 1
    assert delta("gateway_upstream_duration_seconds_count", endpoint="/chat/completions") == 1


def test_tokens_are_counted_by_model_and_key_name_never_the_key(client: httpx.Client) -> None:
    base = str(client.base_url)
    before = scrape(base)
    usage = client.post("/v1/chat/completions", json=CHAT).json()["usage"]
    after = scrape(base)
    for kind in ("prompt", "completion"):
        counted = value(after, "gateway_tokens_total", model="gpt-4o", key="key-1", type=kind)
        counted -= value(before, "gateway_tokens_total", model="gpt-4o", key="key-1", type=kind)
        assert counted == usage[f"{kind}_tokens"] > 0
    assert AUTH["Authorization"].split()[1] not in httpx.get(f"{base}/metrics").text


def test_a_made_up_model_name_never_becomes_a_label(client: httpx.Client) -> None:
    made_up = "made-up-model-4f2c"
    assert client.post("/v1/chat/completions", json={**CHAT, "model": made_up}).status_code == 404
    assert made_up not in httpx.get(f"{client.base_url}/metrics").text


def test_upstream_errors_are_counted_by_kind(
    emulator: CopilotEmulator, client: httpx.Client
) -> None:
    base = str(client.base_url)
    before = scrape(base)
    emulator.state.faults.append(Fault(status=400))
    assert client.post("/v1/chat/completions", json=CHAT).status_code == 400
    emulator.state.faults.append(Fault(cut_after_chunks=2, stream_end="eof"))
    client.post("/v1/chat/completions", json={**CHAT, "stream": True})
    after = scrape(base)
    for kind in ("status_400", "stream_cut"):
        assert (
            value(after, "gateway_upstream_errors_total", kind=kind)
            - value(before, "gateway_upstream_errors_total", kind=kind)
            == 1
        )


def test_open_streams_are_gauged_and_a_client_leaving_closes_its_own() -> None:
    # The upstream stream waits at the gate before its end: open until the client leaves.
    with (
        gated(CopilotEmulator().app) as (emulator_url, gate),
        serving(gateway_settings(emulator_url)) as url,
    ):
        with httpx.stream(
            "POST", f"{url}/v1/chat/completions", json={**CHAT, "stream": True}, headers=AUTH
        ):
            gate.wait_until_held()
            assert value(scrape(url), "gateway_streams_open") == 1
        assert until(lambda: value(scrape(url), "gateway_streams_open") == 0)


def test_a_metrics_token_protects_metrics_and_client_keys_do_not_open_them(
    emulator_url: str,
) -> None:
    settings = gateway_settings(emulator_url, metrics_token="scrape-me")
    with serving(settings) as url:
        for headers in ({}, AUTH, {"Authorization": "Bearer wrong"}):
            refused = httpx.get(f"{url}/metrics", headers=headers)
            assert refused.status_code == 401
            assert refused.json()["error"]["type"] == "authentication_error"
        assert scrape(url, {"Authorization": "Bearer scrape-me"})


def test_workers_share_one_view_of_the_metrics(tmp_path: Path) -> None:
    """`serve --workers 2`: each worker writes its samples where every worker reads them, so
    whichever worker a scrape reaches counts every request."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(GATEWAY_API_KEYS="sk-workers", PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    headers = {"Authorization": "Bearer sk-workers"}
    command = ["serve", "--port", str(port), "--workers", "2"]
    with started(command, env, f"{base}/healthz") as supervisor:
        for _ in range(12):
            assert httpx.get(f"{base}/v1/models", headers=headers).status_code == 200
        for _ in range(4):  # new connections, so both workers answer some scrapes
            counted = value(
                scrape(base),
                "gateway_requests_total",
                operation="listModels",
                status="200",
                model="",
            )
            assert counted == 12
        writers = {path.stem.rsplit("_", 1)[1] for path in tmp_path.glob("gauge_livesum_*.db")}
        # Both workers wrote (and any worker uvicorn replaced: on a loaded machine its health
        # check can give up on a worker that is slow to start, and start another).
        assert len(writers - {str(supervisor.pid)}) >= 2
