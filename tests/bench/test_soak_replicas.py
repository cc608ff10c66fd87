"""The two-replica soak's bookkeeping: what counts as completed, an error event, lost or a
broken conversation, and its section of the soak file replacing only its earlier one."""

from __future__ import annotations

import pytest

from benchlib.replicas import HEADING, kind_of, response_id, with_section

COMPLETED = (
    b'event: response.completed\ndata: {"type": "response.completed", '
    b'"response": {"id": "resp_1"}}\n\n'
)


@pytest.mark.parametrize(
    ("status", "payload", "stream", "kind"),
    [
        (200, b'{"id": "resp_1"}', False, "completed"),
        (200, b"data: {}\n\ndata: [DONE]\n\n", True, "completed"),
        (200, COMPLETED, True, "completed"),
        (200, b'data: {}\n\ndata: {"error": {"message": "cut"}}\n\n', True, "error event"),
        (200, b'event: error\ndata: {"type": "error"}\n\n', True, "error event"),
        (200, b"data: {}\n\n", True, "lost"),  # cut with no word of why
        (404, b'{"error": {"param": "previous_response_id"}}', False, "broken"),
        (502, b'{"error": {}}', True, "lost"),
    ],
)
def test_each_outcome_is_told_apart(status: int, payload: bytes, stream: bool, kind: str) -> None:
    assert kind_of(status, payload, stream) == kind


def test_a_streamed_turn_is_continued_from_its_completed_event() -> None:
    assert response_id(COMPLETED, stream=True) == "resp_1"
    assert response_id(b'{"id": "resp_2"}', stream=False) == "resp_2"


def test_its_section_replaces_its_own_and_keeps_the_single_process_run() -> None:
    single = "# Soak results\n\n| 167,037 | 0 |\n"
    first = with_section(single, [HEADING, "", "| 1 |", ""])
    again = with_section(first, [HEADING, "", "| 2 |", ""])
    assert again.startswith(single.rstrip("\n"))
    assert again.count(HEADING) == 1 and "| 2 |" in again and "| 1 |" not in again
