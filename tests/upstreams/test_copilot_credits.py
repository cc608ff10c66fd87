"""AI Credits over HTTP: what Copilot bills a request (`copilot_usage`) reaches the access log
and `gateway_credits_total` by account, key and model, on every surface and path, and
never the client (neither OpenAI's nor Anthropic's SDKs know the field)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import orjson
import pytest

from access_lines import access_line, capture_access
from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.observability.record import RequestRecord
from copilot_gateway.upstreams.copilot.credits import noted_events
from metrics_scrape import scrape, value

ids = itertools.count()
# Claude Opus 4.8's prices on a Messages answer Copilot billed: 18 x 5e5 + 4 x 2.5e6 nano-AIU.
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
FREE = {"token_details": [], "total_nano_aiu": 0}
USER = {"role": "user", "content": "hi"}


def chat_answer(model: str, bill: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 18, "completion_tokens": 4, "total_tokens": 22},
        "copilot_usage": bill,
    }


def message_answer(model: str) -> dict[str, Any]:
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": "hi"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 18, "output_tokens": 4},
        "copilot_usage": BILL,
    }


def response_answer(model: str) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1_700_000_000,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "model": model,
        "parallel_tool_calls": True,
        "temperature": 1.0,
        "top_p": 1.0,
        "tool_choice": "auto",
        "tools": [],
        "metadata": {},
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "output_text", "text": "hi", "annotations": [], "logprobs": []}
                ],
            }
        ],
        "usage": {
            "input_tokens": 18,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 4,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 22,
        },
        "copilot_usage": BILL,
    }


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    capture_access(caplog)
    return caplog


def billed(
    client: httpx.Client,
    emulator: CopilotEmulator,
    caplog: pytest.LogCaptureFixture,
    path: str,
    body: dict[str, Any],
    answer: dict[str, Any],
    model: str,
) -> tuple[httpx.Response, dict[str, Any], float]:
    """One request Copilot answers with `answer`: the client's answer, its access line,
    and what `gateway_credits_total` gained for its model."""
    assert client.get("/v1/models").status_code == 200  # the catalogue is read first
    labels = {"account": "default", "key": "key-1", "model": model}
    before = value(scrape(str(client.base_url)), "gateway_credits_total", **labels)
    emulator.state.faults.append(Fault(status=200, body=orjson.dumps(answer).decode()))
    request_id = f"credits-{next(ids)}"
    response = client.post(path, json=body, headers={"X-Request-Id": request_id})
    line = access_line(caplog, request_id)
    after = value(scrape(str(client.base_url)), "gateway_credits_total", **labels)
    return response, line, after - before


@pytest.mark.parametrize(
    ("path", "body", "answer"),
    [
        pytest.param(
            "/v1/chat/completions",
            {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
            chat_answer("gpt-4o", BILL),
            id="chat: top level",
        ),
        pytest.param(
            "/v1/responses",
            {"model": "gpt-5-mini", "input": "hi", "store": False},
            response_answer("gpt-5-mini"),
            id="responses: top level",
        ),
        pytest.param(
            "/v1/messages",
            {"model": "claude-sonnet-4", "max_tokens": 64, "messages": [USER]},
            message_answer("claude-sonnet-4"),
            id="messages, native: top level",
        ),
        pytest.param(  # gpt-4o is not served on /v1/messages: Copilot's chat is asked
            "/v1/messages",
            {"model": "gpt-4o", "max_tokens": 64, "messages": [USER]},
            chat_answer("gpt-4o", BILL),
            id="messages, translated to chat",
        ),
    ],
)
def test_an_answers_bill_reaches_the_log_and_metrics_not_the_client(
    client: httpx.Client,
    emulator: CopilotEmulator,
    access: pytest.LogCaptureFixture,
    path: str,
    body: dict[str, Any],
    answer: dict[str, Any],
) -> None:
    response, line, counted = billed(client, emulator, access, path, body, answer, body["model"])
    assert response.status_code == 200, response.text
    assert "copilot_usage" not in response.text
    assert line["credits"] == CREDITS and line["account"] == "default"
    assert counted == pytest.approx(CREDITS)


def test_a_free_models_bill_is_a_known_zero(
    client: httpx.Client, emulator: CopilotEmulator, access: pytest.LogCaptureFixture
) -> None:
    body = {"model": "gpt-4.1", "messages": [USER]}
    answer = chat_answer("gpt-4.1", FREE)
    response, line, counted = billed(
        client, emulator, access, "/v1/chat/completions", body, answer, "gpt-4.1"
    )
    assert response.status_code == 200, response.text
    assert line["credits"] == 0 and counted == 0
    labels = {"account": "default", "key": "key-1", "model": "gpt-4.1"}
    assert ("gateway_credits_total", frozenset(labels.items())) in scrape(str(client.base_url))


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
