"""How long and how often a run measures: the full run, or `--quick`."""

from __future__ import annotations

from dataclasses import dataclass

STREAM_INTERVAL_MS = 250.0  # the paced stub's gap between a stream's chunks


@dataclass(frozen=True)
class Plan:
    quick: bool
    rounds: int
    seconds: float  # per wrk run
    streams: int

    @classmethod
    def of(cls, quick: bool, streams: int | None = None) -> Plan:
        if quick:
            return cls(True, 2, 1, streams or 300)
        return cls(False, 3, 4, streams or 1000)

    @property
    def stream_chunks(self) -> int:
        return 10 if self.quick else 40  # long enough for a steady window of some seconds
