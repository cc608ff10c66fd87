"""Many concurrent paced streams, direct and through one gateway process: the gaps between
chunks as clients see them, the gateway's memory per open stream, its CPU per chunk."""

from __future__ import annotations

import statistics
import time

from .. import streams
from ..aio import run
from ..figures import StreamRow, Streams
from ..fleet import Fleet
from ..loads import (
    GATEWAY_HEADERS,
    GEMINI_HEADERS,
    GEMINI_STREAM_BODY,
    JSON,
    chat_body,
    through,
)
from ..openloop import percentile
from ..plan import STREAM_INTERVAL_MS, Plan
from ..procs import rss_kib
from ..wrk import wrk


def row(name: str, outcome: streams.StreamsRun, count: int, chunks: int) -> StreamRow:
    def beyond(gaps: list[float], fraction: float) -> float | None:
        """The gap at `fraction`, beyond the stub's pacing (ms)."""
        return percentile(gaps, fraction) * 1000 - STREAM_INTERVAL_MS if gaps else None

    gaps, steady = outcome.content_gaps(chunks), outcome.steady_gaps(chunks)
    finish = [d * 1000 - STREAM_INTERVAL_MS for d in outcome.finish_delays(chunks)]
    return StreamRow(
        name=name,
        done=len(outcome.streams),
        events=tuple(outcome.events()),
        gap_p50_ms=beyond(gaps, 0.5),
        gap_p99_ms=beyond(gaps, 0.99),
        steady_gap_p99_ms=beyond(steady, 0.99),
        finish_p50_ms=statistics.median(finish) if finish else None,
        wall_s=outcome.seconds,
    )


def measure(fleet: Fleet, plan: Plan) -> Streams:
    chunks, count = plan.stream_chunks, plan.streams
    ramp = 1.0 if plan.quick else 2.0
    body = chat_body(0, stream=True)
    gateway = fleet.streams_gateway
    wrk(through(gateway, "/chat/completions", chat_body(1024)), 8, 1)  # warm
    time.sleep(0.5)  # the warm-up's garbage collected before the idle RSS is read
    idle = rss_kib(gateway.pid)
    paced_url = fleet.paced_stub.url + "/chat/completions"
    direct = run(lambda: streams.open_streams(paced_url, JSON, body, count, ramp))
    sampler = streams.Sampler(gateway.pid)
    gateway_url = gateway.url + "/v1/chat/completions"
    through_gateway = run(
        lambda: streams.open_streams(gateway_url, GATEWAY_HEADERS, body, count, ramp, sampler)
    )
    cost = streams.gateway_cost(through_gateway, sampler, idle)
    gemini_url = gateway.url + "/v1beta/models/gpt-4o:streamGenerateContent?alt=sse"
    halves = (
        (gateway_url, GATEWAY_HEADERS, body),
        (gemini_url, GEMINI_HEADERS, GEMINI_STREAM_BODY),
    )
    mixed = run(lambda: streams.open_mixed(halves, count, ramp))
    return Streams(
        count=count,
        chunks=chunks,
        interval_ms=STREAM_INTERVAL_MS,
        ramp_s=ramp,
        direct=row("direct", direct, count, chunks),
        gateway=row("gateway", through_gateway, count, chunks),
        idle_kib=cost.idle_kib,
        peak_kib=cost.peak_kib,
        cpu_us_per_chunk=cost.cpu_us_per_event,
        window_s=cost.window_seconds,
        window_events=cost.window_events,
        mixed=row("gateway, half of them Gemini", mixed, count, chunks),
    )
