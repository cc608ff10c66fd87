"""The figures a benchmark run produces: plain typed data, saved as JSON, rendered to markdown.

The sections (`benchlib.sections`) build these and nothing else; the renderer
(`benchlib.render`) reads these and nothing else. So a saved `results.json` renders again
without wrk, and two runs can be compared figure by figure. Derived figures (ratios, what
the gateway adds over direct) are computed where they are rendered, from these.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .targets import DEFAULT, Targets

SCHEMA = 1  # bumped when a saved file could no longer be read as these classes


@dataclass(frozen=True)
class WrkRun:
    """One closed-loop run (or the medians of several) against one server."""

    rps: float
    requests: int
    errors: int  # connection errors and timeouts
    non2xx: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    cpu_us: float | None = None  # the server's CPU time per request, when its pid is known

    @property
    def failed(self) -> int:
        return self.errors + self.non2xx


def median_run(runs: Sequence[WrkRun]) -> WrkRun:
    """Each figure's median over repeated runs (rounds interleaved with the other targets)."""
    cpus = [r.cpu_us for r in runs if r.cpu_us]
    return WrkRun(
        rps=statistics.median(r.rps for r in runs),
        requests=sum(r.requests for r in runs),
        errors=sum(r.errors for r in runs),
        non2xx=sum(r.non2xx for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p90_ms=statistics.median(r.p90_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        p999_ms=statistics.median(r.p999_ms for r in runs),
        cpu_us=statistics.median(cpus) if cpus else None,
    )


@dataclass(frozen=True)
class Measured:
    """One load (by its name in the report) at one number of connections."""

    name: str
    connections: int
    run: WrkRun


def find(measured: Sequence[Measured], name: str, connections: int) -> WrkRun:
    for entry in measured:
        if entry.name == name and entry.connections == connections:
            return entry.run
    raise KeyError(f"no run of {name!r} at {connections} connections")


# The sections of a full run -----------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """Chat, 1 KB: direct, the floor, the gateway (and `--workers 2`), at 1 and 32."""

    rounds: int
    seconds: float
    runs: tuple[Measured, ...]
    workers: bool  # `serve` had a `--workers` option (so the two-worker rows exist)

    def run(self, name: str, connections: int) -> WrkRun:
        return find(self.runs, name, connections)

    def names(self) -> list[str]:
        return list(dict.fromkeys(entry.name for entry in self.runs))


@dataclass(frozen=True)
class SurfaceRow:
    name: str
    upstream: str  # the direct row whose p50 this surface's added p50 is read against
    at_1: WrkRun
    at_32: WrkRun


@dataclass(frozen=True)
class Surfaces:
    """Responses and Messages (native and translated to chat) beside chat."""

    rows: tuple[SurfaceRow, ...]
    direct: tuple[Measured, ...]  # each upstream endpoint called directly, one connection


@dataclass(frozen=True)
class FeatureRow:
    name: str
    description: str
    switches_on: bool  # the variant adds something (limits, another transport): its cost adds
    run: WrkRun

    @property
    def spent_us(self) -> float:
        """CPU per request; where unreadable, the wall time a saturated server gives one."""
        return self.run.cpu_us or 1e6 / self.run.rps


@dataclass(frozen=True)
class Features:
    """The gateway with one feature switched off (or on), 32 connections. Row 0: all on."""

    rows: tuple[FeatureRow, ...]


@dataclass(frozen=True)
class SizeRow:
    label: str
    connections: int
    direct: WrkRun
    floor: WrkRun
    gateway: WrkRun


@dataclass(frozen=True)
class Sizes:
    rows: tuple[SizeRow, ...]


@dataclass(frozen=True)
class EmbeddingsRow:
    connections: int
    direct: WrkRun
    gateway: WrkRun
    inputs: int = 256  # vectors in each answer


@dataclass(frozen=True)
class Embeddings:
    inputs: int
    dimensions: int
    rows: tuple[EmbeddingsRow, ...]


@dataclass(frozen=True)
class Quantiles:
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    errors: int


@dataclass(frozen=True)
class Tails:
    """An open loop at a fixed arrival rate (each request timed from when it was due)."""

    rate: float
    seconds: float
    direct: Quantiles
    gateway: Quantiles


@dataclass(frozen=True)
class LayerShare:
    layer: str
    inclusive: int  # samples whose stack passes through the layer
    innermost: int  # samples whose innermost known layer it is


@dataclass(frozen=True)
class Profile:
    """py-spy on the gateway under load; `skipped` says why there are no samples."""

    seconds: int
    busy: int
    layers: tuple[LayerShare, ...] = ()
    other_innermost: int = 0  # innermost in no known layer (event loop, stdlib)
    skipped: str | None = None


@dataclass(frozen=True)
class StreamRow:
    name: str
    done: int
    events: tuple[int, ...]  # the distinct numbers of events per stream
    gap_p50_ms: float | None  # beyond the pacing; None: no gaps were seen
    gap_p99_ms: float | None
    steady_gap_p99_ms: float | None
    finish_p50_ms: float | None
    wall_s: float


@dataclass(frozen=True)
class Streams:
    """Many paced streams at once, direct and through one gateway process."""

    count: int
    chunks: int
    interval_ms: float
    ramp_s: float
    direct: StreamRow
    gateway: StreamRow
    idle_kib: int
    peak_kib: int
    cpu_us_per_chunk: float | None
    window_s: float
    window_events: int
    # The same streams through the same process, half of them Gemini's (translated from chat).
    mixed: StreamRow | None = None

    @property
    def gap_added_ms(self) -> float | None:
        return _difference(self.gateway.gap_p99_ms, self.direct.gap_p99_ms)

    @property
    def mixed_gap_added_ms(self) -> float | None:
        gap = self.mixed.gap_p99_ms if self.mixed else None
        return _difference(gap, self.direct.gap_p99_ms)

    @property
    def steady_gap_added_ms(self) -> float | None:
        return _difference(self.gateway.steady_gap_p99_ms, self.direct.steady_gap_p99_ms)

    @property
    def kib_per_stream(self) -> float:
        return (self.peak_kib - self.idle_kib) / self.count

    @property
    def relayed_one_by_one(self) -> bool:
        """As many events per stream through the gateway as direct: none coalesced."""
        return self.direct.events == self.gateway.events


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True)
class Instances:
    """The emulator building one structured answer from a schema."""

    iterations: int
    us_per_instance: float


@dataclass(frozen=True)
class ReportTiming:
    """One usage report (`state.ledger.reports`) over the filled ledger, timed."""

    database: str  # "sqlite" or "postgresql"
    group_by: str
    span: str  # "every row", or "cut mid-hour" (both ends inside an hour: ledger rows too)
    median_ms: float
    groups: int  # rows the report answered


@dataclass(frozen=True)
class LedgerFigures:
    """The ledger's cost on the request path, and its reports over a filled database."""

    ledger_on: WrkRun  # the gateway as `serve` runs it: its SQLite ledger writing
    ledger_off: WrkRun  # the same with rows noted nowhere (patched out)
    rows: int  # ledger rows each report database holds
    fill_s: dict[str, float]  # by database: the rows generated, then rolled up
    reports: tuple[ReportTiming, ...]

    @property
    def cost_us(self) -> float | None:
        """The ledger's server CPU per request: on minus off."""
        on, off = self.ledger_on.cpu_us, self.ledger_off.cpu_us
        return None if on is None or off is None else on - off

    def slowest_ms(self, database: str) -> float:
        return max(timing.median_ms for timing in self.reports if timing.database == database)


@dataclass(frozen=True)
class PageTiming:
    """One dashboard page's server time (its queries and its rendering) over the filled
    ledger."""

    database: str  # "sqlite" or "postgresql"
    page: str  # e.g. "overview", "requests (model)"
    median_ms: float


@dataclass(frozen=True)
class DashboardFigures:
    """The dashboard's pages over a filled ledger."""

    rows: int  # ledger rows each database holds
    pages: tuple[PageTiming, ...]

    def slowest(self, database: str) -> PageTiming:
        return max(
            (timing for timing in self.pages if timing.database == database),
            key=lambda timing: timing.median_ms,
        )


@dataclass(frozen=True)
class PricedRow:
    """A feature's server CPU per request: the same load with it and without, interleaved."""

    feature: str
    with_it: str  # what each side ran
    without_it: str
    on: WrkRun
    off: WrkRun

    @property
    def cost_us(self) -> float | None:
        if self.on.cpu_us is None or self.off.cpu_us is None:
            return None
        return self.on.cpu_us - self.off.cpu_us


@dataclass(frozen=True)
class Priced:
    """The newer features priced, 1 KB chat at 32 connections."""

    rounds: int
    rows: tuple[PricedRow, ...]


@dataclass(frozen=True)
class Incumbent:
    """The LiteLLM proxy beside the gateway, 1 KB chat, same stub, rounds interleaved."""

    requirement: str  # what was installed, pinned
    rounds: int = 0
    runs: tuple[Measured, ...] = ()  # "direct", "gateway", "litellm" at 1 and 32 connections
    skipped: str | None = None  # why it was not measured

    def run(self, name: str, connections: int) -> WrkRun:
        return find(self.runs, name, connections)


@dataclass(frozen=True)
class TurnTimes:
    """One way of serving a Responses turn, measured turn after turn on one connection."""

    turns: int
    p50_ms: float
    p90_ms: float
    cpu_us: float | None = None  # the gateway's CPU per turn (its rows only)


@dataclass(frozen=True)
class WebSocketTurns:
    """A Responses turn over the gateway's WebSocket and over SSE; and the upstream hop a
    bridge would change, the same events over a WebSocket or over SSE (a local prototype)."""

    events: int  # in one turn
    sse: TurnTimes
    websocket: TurnTimes
    upstream_http: TurnTimes
    upstream_websocket: TurnTimes

    @property
    def relay_cost_us(self) -> float | None:
        """The gateway's CPU a turn over its WebSocket costs beyond the same turn over SSE."""
        if self.websocket.cpu_us is None or self.sse.cpu_us is None:
            return None
        return self.websocket.cpu_us - self.sse.cpu_us


@dataclass(frozen=True)
class FirstSecond:
    """Fresh gateways, each loaded the moment `/healthz` said healthy: its first second, and
    the same gateway once warm (1 KB chat, 32 connections); medians over the starts."""

    starts: int
    healthy_after_s: float  # from the process started to `/healthz` healthy
    first_request_ms: float  # the first request after that, alone
    first: WrkRun
    warm: WrkRun

    @property
    def times_warm_p99(self) -> float:
        return self.first.p99_ms / self.warm.p99_ms


@dataclass(frozen=True)
class MemoryStep:
    """One step of a gateway's start, and the process's RSS after it."""

    name: str
    mib: float


@dataclass(frozen=True)
class Memory:
    """Where a gateway's memory goes (its start, step by step, in a fresh interpreter), and
    a fresh `serve` process's RSS: healthy and idle, after one request on every surface, and
    after a minute of load on them."""

    steps: tuple[MemoryStep, ...]
    idle_mib: float
    every_surface_mib: float
    loaded_mib: float
    load_seconds: float


@dataclass(frozen=True)
class Meta:
    """Where and when the run was made."""

    date: str  # UTC, "YYYY-MM-DD HH:MM"
    commit: str
    cores: int
    cpu: str
    python: str
    load_average: float  # at the start
    quick: bool
    startup_s: float | None = None  # gateway start-up: spec loaded, validators compiled
    took_min: float | None = None


@dataclass(frozen=True)
class Report:
    """A full run: each section's figures, or None where the section did not run."""

    meta: Meta
    targets: Targets = DEFAULT
    headline: Headline | None = None
    surfaces: Surfaces | None = None
    features: Features | None = None
    sizes: Sizes | None = None
    embeddings: Embeddings | None = None
    tails: Tails | None = None
    profile: Profile | None = None
    streams: Streams | None = None
    instances: Instances | None = None
    ledger: LedgerFigures | None = None
    dashboard: DashboardFigures | None = None
    incumbent: Incumbent | None = None
    priced: Priced | None = None
    websocket: WebSocketTurns | None = None
    first_second: FirstSecond | None = None
    memory: Memory | None = None
    kind: Literal["report"] = "report"
    schema: int = SCHEMA
