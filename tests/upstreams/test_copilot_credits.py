"""AI Credits over HTTP: what Copilot bills a request (`copilot_usage`) reaches the access log
and `gateway_credits_total` by account, key and model, on every surface and path, and
never the client (neither OpenAI's nor Anthropic's SDKs know the field)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from access_lines import access_line, capture_access
from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.emulator.quota import account_of
from copilot_gateway.observability.record import RequestRecord
from copilot_gateway.upstreams.credits import noted_events
from metrics_scrape import scrape, value
from servers import gateway_settings, running, serving

ids = itertools.count()
USER = {"role": "user", "content": "what does this cost?"}
CHAT = {"messages": [USER]}
MESSAGES = {"max_tokens": 64, "messages": [USER]}
RESPONSES = {"input": "what does this cost?", "store": False}
# A bill of the emulator's kind (Claude Opus 4.8's prices), for the stream wrapper's tests.
BILL = {
    "token_details": [
        {
            "token_type": "input",
            "token_count": 18,
            "batch_size": 1_000_000,
            "cost_per_batch": 500_000_000_000,
        },
        {
            "token_type": "output",
            "token_count": 4,
            "batch_size": 1_000_000,
            "cost_per_batch": 2_500_000_000_000,
        },
    ],
    "total_nano_aiu": 19_000_000,
}
CREDITS = 0.019


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    capture_access(caplog)
    return caplog


def billed_by_copilot(emulator: CopilotEmulator) -> float:
    """The credits the emulator charged its accounts since the test began (it is fresh)."""
    return sum(account.credits.used for account in emulator.state.quotas.values())


def credited(base: str, model: str, account: str = "default") -> float:
    labels = {"account": account, "key": "key-1", "model": model}
    return value(scrape(base), "gateway_credits_total", **labels)


SERVED = [
    # (path, model, body): every place Copilot puts its bill, on the path the gateway takes.
    ("/v1/chat/completions", "claude-sonnet-4", CHAT),
    ("/v1/chat/completions", "gpt-5.4", CHAT),  # Responses-only: chat through /responses
    ("/v1/responses", "gpt-5.4", RESPONSES),
    ("/v1/responses", "gemini-2.5-pro", RESPONSES),  # chat-only: through chat
    ("/v1/messages", "claude-sonnet-4", MESSAGES),  # native
    ("/v1/messages", "gemini-2.5-pro", MESSAGES),  # translated to chat
    ("/v1/completions", "claude-sonnet-4", {"prompt": ["one", "two"]}),  # a chat call each
]


@pytest.mark.parametrize("stream", [False, True], ids=["answer", "stream"])
@pytest.mark.parametrize(
    ("path", "model", "body"), SERVED, ids=[f"{path} {model}" for path, model, _ in SERVED]
)
def test_copilots_bill_reaches_the_log_and_metrics_and_never_the_client(
    client: httpx.Client,
    emulator: CopilotEmulator,
    access: pytest.LogCaptureFixture,
    path: str,
    model: str,
    body: dict[str, Any],
    stream: bool,
) -> None:
    before = credited(str(client.base_url), model)
    request_id = f"credits-{next(ids)}"
    response = client.post(
        path,
        json={**body, "model": model, "stream": stream},
        headers={"X-Request-Id": request_id},
    )
    assert response.status_code == 200, response.text
    assert "copilot_usage" not in response.text
    line = access_line(access, request_id)
    bill = billed_by_copilot(emulator)
    assert bill > 0
    assert line["credits"] == pytest.approx(bill) and line["account"] == "default"
    assert credited(str(client.base_url), model) - before == pytest.approx(bill)


def test_a_free_models_bill_is_a_known_zero(
    client: httpx.Client, emulator: CopilotEmulator, access: pytest.LogCaptureFixture
) -> None:
    body = {**CHAT, "model": "gpt-4.1", "stream": True, "stream_options": {"include_usage": True}}
    response = client.post("/v1/chat/completions", json=body, headers={"X-Request-Id": "free"})
    assert response.status_code == 200 and "copilot_usage" not in response.text
    # The usage chunk the client asked for, and no empty chunk Copilot's bill rode on.
    chunks = [part for part in response.text.split("\n\n") if part.startswith("data: {")]
    assert [orjson.loads(chunk[6:])["choices"] == [] for chunk in chunks].count(True) == 1
    assert access_line(access, "free")["credits"] == 0
    labels = {"account": "default", "key": "key-1", "model": "gpt-4.1"}
    assert ("gateway_credits_total", frozenset(labels.items())) in scrape(str(client.base_url))


def test_the_account_that_served_is_the_one_credited(
    tmp_path: Path, access: pytest.LogCaptureFixture
) -> None:
    emulator = CopilotEmulator()
    entries = []
    for name in ("a", "b"):
        (tmp_path / name).write_text(f"gho_account_{name}\n")
        entries.append({"name": name, "token_file": str(tmp_path / name)})
    emulator.put_near_limit("gho_account_a", "credits", 0)  # a's month is spent: b serves
    body = {**CHAT, "model": "claude-sonnet-4"}
    with running(emulator.app) as emulator_url:
        settings = gateway_settings(emulator_url, github_token=None, accounts=entries)
        with serving(settings) as url:
            # Other tests' accounts may have had these names: what this request added counts.
            before = {name: credited(url, model="claude-sonnet-4", account=name) for name in "ab"}
            headers = {"Authorization": "Bearer sk-test-key", "X-Request-Id": "served-by-b"}
            response = httpx.post(
                f"{url}/v1/chat/completions", json=body, headers=headers, timeout=30
            )
            assert response.status_code == 200, response.text
            line = access_line(access, "served-by-b")
            after = {name: credited(url, model="claude-sonnet-4", account=name) for name in "ab"}
    billed_to_b = emulator.state.quotas[account_of("gho_account_b")].credits.used
    assert billed_to_b > 0 and line["account"] == "b"
    assert line["credits"] == pytest.approx(billed_to_b)
    assert after["b"] - before["b"] == pytest.approx(billed_to_b)
    assert after["a"] == before["a"]


# Where in a stream Copilot puts the bill, read by the upstream's wrapper over its events.


async def events_of(documents: list[dict[str, Any]]) -> AsyncGenerator[dict[str, Any]]:
    for document in documents:
        yield document


def noted(documents: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], RequestRecord]:
    record = RequestRecord("POST", "/unit")

    async def read() -> list[dict[str, Any]]:
        return [event async for event in noted_events(events_of(documents), record)]

    return asyncio.run(read()), record


def test_a_chat_streams_late_chunk_of_its_own_is_read_and_not_passed_on() -> None:
    text = {"choices": [{"index": 0, "delta": {"content": "hi"}}]}
    usage = {"choices": [], "usage": {"prompt_tokens": 18, "completion_tokens": 4}}
    events, record = noted([text, usage, {"choices": [], "copilot_usage": BILL}])
    assert events == [text, usage] and record.credits() == CREDITS


def test_a_bill_on_the_usage_chunk_leaves_the_usage_chunk() -> None:
    usage = {"choices": [], "usage": {"prompt_tokens": 18, "completion_tokens": 4}}
    events, record = noted([{**usage, "copilot_usage": BILL}])
    assert events == [usage] and record.nano_aiu() == 19_000_000


def test_a_responses_terminal_event_carries_it_beside_or_inside_the_response() -> None:
    for event in (
        {"type": "response.completed", "response": {"id": "r"}, "copilot_usage": BILL},
        {"type": "response.completed", "response": {"id": "r", "copilot_usage": BILL}},
    ):
        events, record = noted([event])
        assert events == [{"type": "response.completed", "response": {"id": "r"}}]
        assert record.credits() == CREDITS


def test_a_messages_stream_carries_it_on_message_delta() -> None:
    delta = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {}}
    events, record = noted([{**delta, "copilot_usage": BILL}, {"type": "message_stop"}])
    assert events == [delta, {"type": "message_stop"}] and record.credits() == CREDITS


def test_a_bill_sent_twice_counts_its_last_and_one_without_a_total_sums_its_details() -> None:
    early = {"choices": [], "copilot_usage": {"total_nano_aiu": 10_000_000}}
    late = {"choices": [], "copilot_usage": {"token_details": BILL["token_details"]}}
    events, record = noted([early, late])
    assert events == [] and record.nano_aiu() == 19_000_000  # not 29,000,000


def test_a_bill_that_says_nothing_is_taken_out_and_makes_up_no_credits() -> None:
    events, record = noted([{"type": "message_delta", "copilot_usage": {"total_nano_aiu": "?"}}])
    assert events == [{"type": "message_delta"}] and record.credits() is None
