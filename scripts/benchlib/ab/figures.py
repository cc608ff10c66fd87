"""An A/B run's figures: each round's run on each side, kept whole so that medians, ratios
and their spread over the rounds are computed where they are rendered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..figures import SCHEMA, Meta, WrkRun
from ..targets import DEFAULT, Targets


@dataclass(frozen=True)
class Side:
    """One side of an A/B run: what was measured and how it was installed."""

    label: str  # "working tree", or the revision as given
    commit: str
    install: str


@dataclass(frozen=True)
class AbRow:
    """One load at one number of connections: each round's run on each side, in order."""

    name: str
    connections: int
    a: tuple[WrkRun, ...]
    b: tuple[WrkRun, ...]


@dataclass(frozen=True)
class AbReport:
    """The working tree (A) against another revision (B), interleaved rounds, one stub."""

    meta: Meta
    a: Side
    b: Side
    rounds: int
    seconds: float
    rows: tuple[AbRow, ...]
    startup_a: tuple[float, ...] = ()  # seconds, one per round
    startup_b: tuple[float, ...] = ()
    idle_kib_a: int | None = None  # the plain gateway's RSS after its warm-up
    idle_kib_b: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    targets: Targets = DEFAULT
    kind: Literal["ab"] = "ab"
    schema: int = SCHEMA
