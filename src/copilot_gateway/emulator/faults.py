"""Injected failures: what a test asks the emulator to do instead of answering.

Faults wait in `EmulatorState.faults` and are served in order, one per Copilot API call (not
the GitHub side). A fault with `cut_after_chunks` is a stream fault: it waits at the head of
the list for the next streamed answer, whichever endpoint sends it, and the answers before
it are served normally. Any other fault replaces the next answer of any endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STALL_SECONDS = 3600.0


@dataclass
class Fault:
    """One injected failure, served instead of the next API answer (tests, benchmarks)."""

    status: int = 500
    body: str = '{"error":{"message":"emulated failure","code":"emulated"}}'
    # Wait this long before answering (a slow upstream). A stream fault waits before the
    # stream starts.
    delay_seconds: float = 0.0
    # Stream this many chunks, then end as `stream_end` says: "cut" (the connection drops),
    # "eof" (a clean close without the stream's end), "error" (the endpoint's own
    # mid-stream error event) or "stall" (say nothing more for an hour). A stream fault
    # answers 200 (a stream has started) and ignores `status` and `body`.
    cut_after_chunks: int | None = None
    stream_end: str = "cut"
    headers: dict[str, str] = field(default_factory=dict)  # added to the answer's headers

    @property
    def streamed(self) -> bool:
        return self.cut_after_chunks is not None


def next_answer_fault(faults: list[Fault]) -> Fault | None:
    """The fault that replaces this answer, taken off the list; None if the next is none."""
    if faults and not faults[0].streamed:
        return faults.pop(0)
    return None


def next_stream_fault(faults: list[Fault]) -> Fault | None:
    """The fault that breaks this stream, taken off the list; None if the next is none."""
    if faults and faults[0].streamed:
        return faults.pop(0)
    return None
