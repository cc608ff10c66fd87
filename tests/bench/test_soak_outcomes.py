"""The soak's bookkeeping: what counts as completed on each surface or as which failure, the
verdict (any error, memory grown past 5%, ledger rows unequal to requests served), and each
run's section of the soak file replacing only its own."""

from __future__ import annotations

from collections import Counter

import pytest

from benchlib.replicas import HEADING, with_section
from benchlib.soak_held import Held
from benchlib.soak_load import Soak, Target
from benchlib.soak_memory import Life, Memory
from benchlib.soak_report import verdict
from benchlib.soak_run import Result
from benchlib.soak_surfaces import (
    SURFACES,
    key_name,
    outcome,
    response_id,
    socket_outcome,
)

BY_NAME = {surface.name: surface for surface in SURFACES}
RESPONSE_COMPLETED = (
    b'event: response.completed\ndata: {"type": "response.completed", '
    b'"response": {"id": "resp_1", "error": null}}\n\n'
)
GEMINI_LAST = b'data: {"candidates": [{"finishReason": "STOP"}]}\n\n'
CHAT_CUT = b'data: {}\n\ndata: {"error": {"message": "cut"}}\n\n'
MESSAGE_STOP = b'event: message_stop\ndata: {"type": "message_stop"}\n\n'
MESSAGES_ERROR = b"event: ping\ndata: {}\n\nevent: error\ndata: {}\n\n"
NOT_FOUND = b'{"error": {"param": "previous_response_id"}}'


@pytest.mark.parametrize(
    ("surface", "status", "payload", "kind"),
    [
        ("chat", 200, b'{"id": "chatcmpl-1"}', "completed"),
        ("chat, streamed", 200, b"data: {}\n\ndata: [DONE]\n\n", "completed"),
        ("chat, streamed", 200, CHAT_CUT, "error event"),
        ("chat, streamed", 200, b"data: {}\n\n", "cut stream"),  # no word of why
        ("Responses over SSE", 200, RESPONSE_COMPLETED, "completed"),  # its "error": null
        ("Responses over SSE", 200, b'event: error\ndata: {"type": "error"}\n\n', "error event"),
        ("Messages, streamed", 200, MESSAGE_STOP, "completed"),
        ("Messages, streamed", 200, MESSAGES_ERROR, "error event"),
        ("Gemini streamGenerateContent", 200, b"data: {}\n\n" + GEMINI_LAST, "completed"),
        ("Gemini streamGenerateContent", 200, b'data: {"error": {"code": 503}}\n\n', "error event"),
        ("Gemini streamGenerateContent", 200, b'data: {"candidates": []}\n\n', "cut stream"),
        ("Responses over SSE", 404, NOT_FOUND, "broken conversation"),
        ("embeddings", 502, b'{"error": {}}', "status 502"),
    ],
)  # fmt: skip
def test_each_outcome_is_told_apart(surface: str, status: int, payload: bytes, kind: str) -> None:
    assert outcome(BY_NAME[surface], status, payload) == kind


def error_event(code: str) -> dict:
    return {"type": "error", "error": {"code": code}}


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ({"type": "response.completed", "response": {"id": "resp_1"}}, "completed"),
        (error_event("previous_response_not_found"), "broken conversation"),
        (error_event("rate_limit_exceeded"), "error event (rate_limit_exceeded)"),
        ({"type": "response.failed", "response": {}}, "response.failed"),
        ({"type": "response.output_text.delta", "delta": "hi"}, None),
    ],
)  # fmt: skip
def test_each_websocket_event_ends_its_turn_or_not(event: dict, kind: str | None) -> None:
    assert socket_outcome(event) == kind


def test_a_streamed_turn_is_continued_from_its_completed_event() -> None:
    assert response_id(RESPONSE_COMPLETED, stream=True) == "resp_1"
    assert response_id(b'{"id": "resp_2"}', stream=False) == "resp_2"


def passing() -> Result:
    """A run of one request per surface, all completed, a row each, memory +1%."""
    load = Soak([Target("http://127.0.0.1:1")], until=0, measured_from=0)
    for surface in SURFACES:
        load.tally(surface.name, "completed", 0)
        load.answered[surface.name] += 1
    memory = Memory(warmup=0, lives={"gateway": [Life(0, 0, [100_000, 101_000])]})
    rows = Counter({key_name(number): 1 for number in range(len(SURFACES))})
    return Result(load, memory, rows, [], Held())


def test_a_run_with_no_error_steady_memory_and_a_row_per_request_passes() -> None:
    assert verdict(passing()) == []


def test_memory_grown_past_5_percent_fails_the_run() -> None:
    grown = passing()
    grown.memory.lives["gateway"][0].samples[-1] = 105_100
    assert verdict(grown) == ["gateway (process 1) grew +5.1%"]


def test_an_error_of_any_kind_fails_the_run_named() -> None:
    failed = passing()
    failed.load.tally("embeddings", "status 502", 0)
    failed.load.answered["embeddings"] += 1
    failed.rows[key_name(SURFACES.index(BY_NAME["embeddings"]))] += 1
    assert verdict(failed) == ["embeddings: status 502 (1)"]


def test_ledger_rows_unequal_to_requests_served_fail_the_run() -> None:
    short = passing()
    short.rows[key_name(0)] = 0
    assert verdict(short) == ["chat: 0 ledger rows for 1 requests served"]


def test_its_section_replaces_its_own_and_keeps_the_single_process_run() -> None:
    single = "# Soak results\n\n| 167,037 | 0 |\n"
    first = with_section(single, [HEADING, "", "| 1 |", ""])
    again = with_section(first, [HEADING, "", "| 2 |", ""])
    assert again.startswith(single.rstrip("\n"))
    assert again.count(HEADING) == 1 and "| 2 |" in again and "| 1 |" not in again
