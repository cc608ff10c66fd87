"""copilot-gateway's benchmark: the gateway against the floor and a direct call, in one run.

A raw asyncio stub upstream (`bench_stub.py`, never the bottleneck) answers every request.
wrk drives, in the same run and interleaved over repeated rounds (medians reported):
`direct` (wrk straight at the stub), `floor` (the smallest connexion app proxying through
the same upstream client, `bench_floor.py`), the `gateway` (`copilot-gateway serve`,
everything on) and the gateway with `--workers 2`. Then: the Responses and Messages
surfaces (native and translated), what each feature costs (`bench_variants.py`), body
sizes, embeddings, tails at a fixed arrival rate, a py-spy profile by layer, and 1,000
concurrent streams through one gateway process (`bench_streams.py`). The issue's targets
are stated as met or not at the top of the results.

    scripts/bench [--quick] [--output benchmarks/results.md]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

import bench_profile
import bench_streams
from bench_proc import rss_kib
from bench_variants import VARIANTS
from bench_wrk import Load, WrkRun, median_run, wrk

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
T = TypeVar("T")
KEY = "sk-bench"
JSON = {"Content-Type": "application/json"}
GATEWAY_HEADERS = {**JSON, "Authorization": f"Bearer {KEY}"}
ANTHROPIC_HEADERS = {**JSON, "x-api-key": KEY, "anthropic-version": "2023-06-01"}
DATA = Path(tempfile.mkdtemp(prefix="bench-data-"))

# The budget (#16).
FLOOR_SHARE = 0.75  # of the floor's throughput at 32 connections
ADDED_P50_MS = 1.0  # over direct at one connection
STREAM_GAP_MS = 20.0  # added to the p99 chunk gap, 1,000 streams
STREAM_KIB = 40.0  # per open stream

Lines = list[str]
VARIANT = "variant "  # the feature-cost servers' names: "variant no-metrics"...


@dataclass
class Plan:
    """How long and how often: the full run, or `--quick`."""

    quick: bool
    rounds: int
    seconds: float  # per wrk run
    streams: int

    @classmethod
    def of(cls, quick: bool, streams: int | None) -> Plan:
        if quick:
            return cls(True, 2, 1, streams or 300)
        return cls(False, 3, 4, streams or 1000)


# Servers ----------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, child: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 180  # a dozen gateways start at once on a busy machine
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"{name}: the server exited ({child.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not start")


@contextmanager
def servers(specs: dict[str, tuple[list[str], dict[str, str]]]) -> Iterator[dict[str, Server]]:
    """Start several servers at once (each `command` gets `--port N` appended); stop them all."""
    started: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        for name, (command, env) in specs.items():
            port = free_port()
            child = subprocess.Popen(
                [*command, "--port", str(port)],
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started[name] = (child, port)
        for name, (child, port) in started.items():
            wait_until_up(port, child, name)
        yield {
            name: Server(name, f"http://127.0.0.1:{port}", child.pid)
            for name, (child, port) in started.items()
        }
    finally:
        for child, _ in started.values():
            child.terminate()
        for child, _ in started.values():
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()


def stub(chunks: int = 10, interval_ms: float = 0) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, str(SCRIPTS / "bench_stub.py"), "--chunks", str(chunks)]
    return [*command, "--interval-ms", str(interval_ms)], {}


def floor(upstream: str) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, str(SCRIPTS / "bench_floor.py"), "--upstream", upstream], {}


def gateway_env(upstream: str, name: str, **extra: str) -> dict[str, str]:
    return {
        "GATEWAY_UPSTREAM": "openai",
        "GATEWAY_UPSTREAM_URL": upstream,
        "GATEWAY_API_KEYS": KEY,
        "GATEWAY_RESPONSES_DB": str(DATA / f"{name}.sqlite3"),
        **extra,
    }


def gateway(upstream: str, name: str, workers: int = 1, **env: str) -> tuple[list[str], dict]:
    command = [sys.executable, "-m", "copilot_gateway", "serve"]
    if workers > 1:
        command += ["--workers", str(workers)]
    return command, gateway_env(upstream, name, **env)


def variant(upstream: str, name: str) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, str(SCRIPTS / "bench_variants.py"), name]
    return command, gateway_env(upstream, name)


def workers_supported() -> bool:
    help_text = subprocess.run(
        [sys.executable, "-m", "copilot_gateway", "serve", "--help"],
        capture_output=True,
        text=True,
    ).stdout
    return "--workers" in help_text


# Bodies and loads -------------------------------------------------------------------------

FILLER = "lorem ipsum dolor sit amet " * 36  # ~1 KB


def chat_body(size: int, stream: bool = False) -> bytes:
    """A chat request of about `size` bytes: a conversation of 1 KB messages."""
    messages = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": FILLER}
        for i in range(max(1, size // 1024))
    ]
    messages.append({"role": "user", "content": "Tell me about gateways and how fast they are"})
    body: dict[str, Any] = {"model": "gpt-4o", "messages": messages}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


RESPONSES_BODY = json.dumps({"model": "gpt-4o", "input": FILLER}).encode()
# Stored responses (the API's default) are written before the answer: this row shows the cost.
UNSTORED_RESPONSES_BODY = json.dumps({"model": "gpt-4o", "input": FILLER, "store": False}).encode()
MESSAGES_BODY = json.dumps(
    {"model": "gpt-4o", "max_tokens": 256, "messages": [{"role": "user", "content": FILLER}]}
).encode()
EMBEDDINGS_BODY = json.dumps(
    {"model": "text-embedding-3-small", "input": [f"input number {i}" for i in range(256)]}
).encode()


def direct(server: Server, path: str, body: bytes) -> Load:
    return Load(server.url + path, JSON, body)


def through(
    server: Server, path: str, body: bytes, headers: dict[str, str] = GATEWAY_HEADERS
) -> Load:
    return Load(server.url + "/v1" + path, headers, body, server.pid)


def measure_rounds(
    loads: dict[str, Load], connections: list[int], plan: Plan, rounds: int | None = None
) -> dict[tuple[str, int], WrkRun]:
    """Each load at each connection count, interleaved, `rounds` times; the medians."""
    runs: dict[tuple[str, int], list[WrkRun]] = {}
    for _ in range(rounds or plan.rounds):
        for count in connections:
            for name, load in loads.items():
                runs.setdefault((name, count), []).append(wrk(load, count, plan.seconds))
    return {key: median_run(value) for key, value in runs.items()}


def warm(loads: dict[str, Load]) -> None:
    """A first request compiles and caches things (the model catalogue): not measured."""
    for name, load in loads.items():
        if "direct" not in name:
            wrk(load, 8, 1)


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def rule(columns: int) -> str:
    return row(*["---"] * columns)


def met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def cpu_us(run: WrkRun) -> str:
    return f"{run.cpu_us:,.0f}" if run.cpu_us else "n/a"


def failures(run: WrkRun) -> str:
    return str(run.failed) if run.failed else "0"


# Sections ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """What the summary at the top states."""

    floor_rps: float = 0.0
    gateway_rps: float = 0.0
    workers2_rps: float | None = None
    direct_p50: float = 0.0
    floor_p50: float = 0.0
    floor_cpu_us: float | None = None  # per request, 32 connections
    gateway_cpu_us: float | None = None
    gateway_p50: float = 0.0
    surfaces: list[tuple[str, float, float]] | None = None  # (name, rps at 32, added p50 at 1)
    gap_added_ms: float | None = None
    steady_gap_added_ms: float | None = None
    kib_per_stream: float | None = None
    cpu_us_per_chunk: float | None = None
    streams: int = 0


def headline(started: dict[str, Server], plan: Plan, figures: Figures) -> Lines:
    body = chat_body(1024)
    two_workers = "gateway-2w" in started
    loads = {
        "direct": direct(started["stub"], "/chat/completions", body),
        "floor": through(started["floor"], "/chat/completions", body, JSON),
        "gateway": through(started["gateway"], "/chat/completions", body),
    }
    if two_workers:
        loads["gateway --workers 2"] = through(started["gateway-2w"], "/chat/completions", body)
    warm(loads)
    runs = measure_rounds(loads, [1, 32], plan)
    d1, f32, g1, g32 = runs["direct", 1], runs["floor", 32], runs["gateway", 1], runs["gateway", 32]
    figures.floor_rps, figures.gateway_rps = f32.rps, g32.rps
    figures.direct_p50, figures.gateway_p50 = d1.p50_ms, g1.p50_ms
    figures.floor_p50 = runs["floor", 1].p50_ms
    figures.floor_cpu_us, figures.gateway_cpu_us = f32.cpu_us, g32.cpu_us
    if two_workers:
        figures.workers2_rps = runs["gateway --workers 2", 32].rps
    lines = [
        "## Chat, 1 KB: direct, floor, gateway",
        "",
        f"wrk, one thread, closed loop; {plan.rounds} rounds of {plan.seconds:g} s per row, the "
        "targets interleaved; medians. `direct` is wrk straight at the stub: wrk's ceiling. "
        "`floor`: the smallest connexion app passing the body to the same upstream client. "
        "vs floor: req/s over the floor's at the same connections; added p50: over direct. "
        "CPU: the server's CPU time per request (utime+stime, its workers' included).",
        "",
        row(
            "target",
            "connections",
            "req/s",
            "CPU µs/request",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "vs floor",
            "added p50 ms",
            "failed",
        ),
        rule(10),
    ]
    for count in (1, 32):
        for name in loads:
            run = runs[name, count]
            lines.append(
                row(
                    name,
                    count,
                    f"{run.rps:,.0f}",
                    cpu_us(run),
                    f"{run.p50_ms:.2f}",
                    f"{run.p90_ms:.2f}",
                    f"{run.p99_ms:.2f}",
                    "" if name == "direct" else f"{run.rps / runs['floor', count].rps:.0%}",
                    f"{run.p50_ms - runs['direct', count].p50_ms:.2f}",
                    failures(run),
                )
            )
    if not two_workers:
        lines += ["", "`copilot-gateway serve` has no `--workers` option here: no two-worker row."]
    return [*lines, ""]


def surfaces(started: dict[str, Server], plan: Plan, figures: Figures) -> Lines:
    stub_server, gateway_server = started["stub"], started["gateway"]
    translating = started["translating"]
    loads = {
        "chat (direct)": direct(stub_server, "/chat/completions", chat_body(1024)),
        "responses (direct)": direct(stub_server, "/responses", RESPONSES_BODY),
        "messages (direct)": direct(stub_server, "/messages", MESSAGES_BODY),
        "chat": through(gateway_server, "/chat/completions", chat_body(1024)),
        "responses, native": through(gateway_server, "/responses", RESPONSES_BODY),
        "responses, native, store: false": through(
            gateway_server, "/responses", UNSTORED_RESPONSES_BODY
        ),
        "responses, translated to chat": through(translating, "/responses", RESPONSES_BODY),
        "messages, native": through(gateway_server, "/messages", MESSAGES_BODY, ANTHROPIC_HEADERS),
        "messages, translated to chat": through(
            translating, "/messages", MESSAGES_BODY, ANTHROPIC_HEADERS
        ),
    }
    warm(loads)
    rounds = max(1, plan.rounds - 1)
    gateway_loads = {name: load for name, load in loads.items() if "direct" not in name}
    runs = measure_rounds(gateway_loads, [1, 32], plan, rounds=rounds)
    # The stub answers at once: direct calls need only their latency at one connection.
    direct_loads = {name: load for name, load in loads.items() if "direct" in name}
    runs |= measure_rounds(direct_loads, [1], plan, rounds=1)
    upstream_of = {
        "chat": "chat (direct)",
        "responses, native": "responses (direct)",
        "responses, native, store: false": "responses (direct)",
        "responses, translated to chat": "chat (direct)",
        "messages, native": "messages (direct)",
        "messages, translated to chat": "chat (direct)",
    }
    lines = [
        "## Responses and Messages, beside chat",
        "",
        "~1 KB requests; native: the stub serves `/responses` and `/messages` itself; "
        "translated: `GATEWAY_UPSTREAM_RESPONSES=translate` (the `openai` upstream then lists "
        "only chat and embeddings, so both surfaces go through chat). The budget is chat's: "
        f"≥ {FLOOR_SHARE:.0%} of the chat floor's req/s at 32 connections (floor: "
        f"{figures.floor_rps:,.0f} req/s in the section above), ≤ {ADDED_P50_MS:g} ms added p50 "
        "at one connection over a direct call to the upstream endpoint it uses.",
        "",
        row(
            "surface",
            "req/s at 32",
            "CPU µs/request",
            "vs chat floor",
            "p50 ms at 1",
            "added p50 ms",
            "p99 ms at 32",
            "failed",
        ),
        rule(8),
    ]
    figures.surfaces = []
    for name, upstream in upstream_of.items():
        run32, run1 = runs[name, 32], runs[name, 1]
        added = run1.p50_ms - runs[upstream, 1].p50_ms
        figures.surfaces.append((name, run32.rps, added))
        lines.append(
            row(
                name,
                f"{run32.rps:,.0f}",
                cpu_us(run32),
                f"{run32.rps / figures.floor_rps:.0%}",
                f"{run1.p50_ms:.2f}",
                f"{added:.2f}",
                f"{run32.p99_ms:.2f}",
                run32.failed + run1.failed,
            )
        )
    direct_figures = (
        f"{name.split(' ')[0]} {runs[name, 1].p50_ms:.3f} ms"
        for name in ("chat (direct)", "responses (direct)", "messages (direct)")
    )
    lines += [
        "",
        "Direct p50 at one connection: " + "; ".join(direct_figures) + ".",
    ]
    return [*lines, ""]


QUICK_FEATURES = [
    "## What each feature costs",
    "",
    "(Measured by the full run only: nine more gateways to start.)",
    "",
]


def features(started: dict[str, Server], plan: Plan) -> Lines:
    body = chat_body(1024)
    loads = {name: through(started[VARIANT + name], "/chat/completions", body) for name in VARIANTS}
    warm(loads)
    runs = measure_rounds(loads, [32], plan, rounds=1 if plan.quick else plan.rounds)

    def spent(run: WrkRun) -> float:
        """CPU per request; where unreadable, the wall time a saturated server gives one."""
        return run.cpu_us or 1e6 / run.rps

    base = spent(runs["all-on", 32])
    lines = [
        "## What each feature costs",
        "",
        "The gateway launched by `scripts/bench_variants.py` with one feature switched off (by "
        "its setting where there is one, else patched out in that process only), 1 KB chat at "
        "32 connections, rounds interleaved, medians. The cost is read on the gateway's CPU "
        "time per request, not on req/s (which the machine's other work moves by more than a "
        "feature costs): what the feature takes, per request, against everything on.",
        "",
        row("variant", "req/s", "CPU µs/request", "the feature costs µs/request", "failed"),
        rule(5),
    ]
    for name, (description, _) in VARIANTS.items():
        run = runs[name, 32]
        # Rows switching something on (limits, another transport) add; the others save.
        adds = name in ("limits-tokens", "limits-rpm", "httpx-transport")
        cost = spent(run) - base if adds else base - spent(run)
        shown = "" if name == "all-on" else f"{cost:+.0f}"
        lines.append(
            row(description, f"{run.rps:,.0f}", f"{spent(run):,.0f}", shown, failures(run))
        )
    return [*lines, ""]


def sizes(started: dict[str, Server], plan: Plan) -> Lines:
    stub_server, floor_server, gateway_server = (
        started[name] for name in ("stub", "floor", "gateway")
    )
    chosen = [(16 * 1024, "16 KB"), (256 * 1024, "256 KB"), (1024 * 1024, "1 MB")]
    if plan.quick:
        chosen = chosen[::2]  # 16 KB and 1 MB
    lines = [
        "## Chat body sizes",
        "",
        "One round; direct, floor and gateway interleaved. Added = gateway - direct.",
        "",
        row(
            "body",
            "connections",
            "direct req/s",
            "floor req/s",
            "gateway req/s",
            "gateway/floor",
            "direct p50 ms",
            "gateway p50 ms",
            "added p50 ms",
            "gateway p99 ms",
        ),
        rule(10),
    ]
    for size, label in chosen:
        body = chat_body(size)
        loads = {
            "direct": direct(stub_server, "/chat/completions", body),
            "floor": through(floor_server, "/chat/completions", body, JSON),
            "gateway": through(gateway_server, "/chat/completions", body),
        }
        runs = measure_rounds(loads, [1, 32], plan, rounds=1)
        for count in (1, 32):
            d, f, g = (runs[name, count] for name in ("direct", "floor", "gateway"))
            lines.append(
                row(
                    label,
                    count,
                    f"{d.rps:,.0f}",
                    f"{f.rps:,.0f}",
                    f"{g.rps:,.0f}",
                    f"{g.rps / f.rps:.0%}",
                    f"{d.p50_ms:.2f}",
                    f"{g.p50_ms:.2f}",
                    f"{g.p50_ms - d.p50_ms:.2f}",
                    f"{g.p99_ms:.2f}",
                )
            )
    return [*lines, ""]


def embeddings(started: dict[str, Server], plan: Plan) -> Lines:
    stub_server, gateway_server = started["stub"], started["gateway"]
    loads = {
        "direct": direct(stub_server, "/embeddings", EMBEDDINGS_BODY),
        "gateway": through(gateway_server, "/embeddings", EMBEDDINGS_BODY),
    }
    runs = measure_rounds(loads, [1, 8], plan, rounds=1)
    lines = [
        "## Embeddings, 256 inputs of 1,536 dimensions",
        "",
        row(
            "connections",
            "direct req/s",
            "gateway req/s",
            "direct p50 ms",
            "gateway p50 ms",
            "added p50 ms",
        ),
        rule(6),
    ]
    for count in (1, 8):
        d, g = runs["direct", count], runs["gateway", count]
        lines.append(
            row(
                count,
                f"{d.rps:,.1f}",
                f"{g.rps:,.1f}",
                f"{d.p50_ms:.1f}",
                f"{g.p50_ms:.1f}",
                f"{g.p50_ms - d.p50_ms:.1f}",
            )
        )
    return [*lines, ""]


# Tails: an open loop (wrk has none), from this process --------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def open_loop(
    url: str, headers: dict[str, str], body: bytes, rate: float, seconds: float
) -> tuple[list[float], int]:
    """Requests on a fixed schedule, each timed from when it was due (no coordinated omission)."""
    latencies: list[float] = []
    errors = 0

    async def one(session: aiohttp.ClientSession, due: float) -> None:
        nonlocal errors
        try:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                errors += response.status != 200
        except aiohttp.ClientError:
            errors += 1
        latencies.append(time.perf_counter() - due)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        tasks = []
        start = time.perf_counter()
        for index in range(int(rate * seconds)):
            due = start + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(session, due)))
        await asyncio.gather(*tasks)
    return latencies, errors


def tails(started: dict[str, Server], gateway_rps: float, plan: Plan) -> Lines:
    stub_server, gateway_server = started["stub"], started["gateway"]
    rate = max(50.0, round(gateway_rps * 0.5, -1))
    seconds = 4 if plan.quick else 10
    body = chat_body(1024)
    results = {
        "direct": run(
            lambda: open_loop(stub_server.url + "/chat/completions", JSON, body, rate, seconds)
        ),
        "gateway": run(
            lambda: open_loop(
                gateway_server.url + "/v1/chat/completions", GATEWAY_HEADERS, body, rate, seconds
            )
        ),
    }
    quantiles = (0.5, 0.9, 0.99, 0.999)
    ms = {
        name: [percentile(lat, q) * 1000 for q in quantiles] for name, (lat, _) in results.items()
    }
    return [
        "## Tail latency at a fixed arrival rate (open loop)",
        "",
        f"{rate:,.0f} req/s for {seconds} s (half the gateway's rate at 32 connections), 1 KB "
        "chat, from an aiohttp client in the bench process (wrk has no open loop); each "
        "request timed from when it was due.",
        "",
        row("", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "errors"),
        rule(6),
        row("direct", *(f"{v:.2f}" for v in ms["direct"]), results["direct"][1]),
        row("gateway", *(f"{v:.2f}" for v in ms["gateway"]), results["gateway"][1]),
        row(
            "added", *(f"{g - d:.2f}" for g, d in zip(ms["gateway"], ms["direct"], strict=True)), ""
        ),
        "",
    ]


def profile_section(started: dict[str, Server], plan: Plan) -> Lines:
    gateway_server = started["gateway"]
    if not bench_profile.available():
        return ["## Where the gateway's time goes", "", "(py-spy is not installed in .venv)", ""]
    seconds = 4 if plan.quick else 10
    load = through(gateway_server, "/chat/completions", chat_body(1024))
    busy, inclusive, inner = bench_profile.profile(
        gateway_server.pid, seconds, lambda: wrk(load, 32, seconds)
    )
    if not busy:
        return ["## Where the gateway's time goes", "", "(py-spy recorded no busy samples)", ""]
    lines = [
        "## Where the gateway's time goes",
        "",
        f"py-spy (200 Hz, {seconds} s) on the gateway process serving 1 KB chats at 32 "
        f"connections; {busy:,} busy samples. Inclusive: the share of busy samples whose stack "
        "passes through the layer anywhere (shares overlap, they do not add up to 100%). "
        "Innermost: the layer nearest the leaf (the old leaf attribution; shown for contrast, "
        "it misleads: time in C code and helpers lands on their caller).",
        "",
        row("layer", "inclusive", "innermost"),
        rule(3),
    ]
    for layer, samples in inclusive.most_common():
        lines.append(row(layer, f"{samples / busy:.0%}", f"{inner.get(layer, 0) / busy:.0%}"))
    other = inner.get("other (event loop, stdlib)", 0)
    lines.append(row("other (event loop, stdlib)", "", f"{other / busy:.0%}"))
    return [*lines, ""]


STREAM_INTERVAL_MS = 250


def stream_chunks(plan: Plan) -> int:
    return 10 if plan.quick else 40  # long enough for a steady window of some seconds


def streams_section(started: dict[str, Server], plan: Plan, figures: Figures) -> Lines:
    interval_ms, chunks, count = STREAM_INTERVAL_MS, stream_chunks(plan), plan.streams
    ramp = 1.0 if plan.quick else 2.0
    figures.streams = count
    body = chat_body(0, stream=True)
    paced, gateway_server = started["paced stub"], started["streams gateway"]
    wrk(through(gateway_server, "/chat/completions", chat_body(1024)), 8, 1)  # warm
    time.sleep(0.5)
    idle = rss_kib(gateway_server.pid)
    direct_run = run(
        lambda: bench_streams.open_streams(paced.url + "/chat/completions", JSON, body, count, ramp)
    )
    sampler = bench_streams.Sampler(gateway_server.pid)
    gateway_run = run(
        lambda: bench_streams.open_streams(
            gateway_server.url + "/v1/chat/completions", GATEWAY_HEADERS, body, count, ramp, sampler
        )
    )
    cost = bench_streams.gateway_cost(gateway_run, sampler, idle)
    runs = {"direct": direct_run, "gateway": gateway_run}

    def beyond(gaps: list[float], fraction: float) -> float:
        return percentile(gaps, fraction) * 1000 - interval_ms if gaps else float("nan")

    gaps = {name: r.content_gaps(chunks) for name, r in runs.items()}
    steady = {name: r.steady_gaps(chunks) for name, r in runs.items()}
    figures.gap_added_ms = beyond(gaps["gateway"], 0.99) - beyond(gaps["direct"], 0.99)
    figures.steady_gap_added_ms = beyond(steady["gateway"], 0.99) - beyond(steady["direct"], 0.99)
    figures.kib_per_stream = (cost.peak_kib - cost.idle_kib) / count
    figures.cpu_us_per_chunk = cost.cpu_us_per_event
    cpu = f"{cost.cpu_us_per_event:.0f} µs" if cost.cpu_us_per_event is not None else "n/a"
    relayed = direct_run.events() == gateway_run.events()
    lines = [
        f"## {count:,} concurrent streams through one gateway process",
        "",
        f"The stub paces {chunks} content chunks {interval_ms} ms apart, then the finish, the "
        "usage when asked for, and `[DONE]`, paced too; the streams are opened evenly over "
        f"{ramp:g} s from an aiohttp client in the bench process. Gaps between a stream's "
        "consecutive content chunks, beyond the pacing: over the whole run (openings of "
        "other streams included; the target is read on this) and over the steady window "
        "(every stream open, none finished). Finish: from the last content chunk to the "
        "finish chunk, beyond the pacing.",
        "",
        row(
            "",
            "streams done",
            "events per stream",
            "gap p50 ms",
            "gap p99 ms",
            "steady gap p99 ms",
            "finish p50 ms",
            "wall s",
        ),
        rule(8),
    ]
    for name, r in runs.items():
        finish = [d * 1000 - interval_ms for d in r.finish_delays(chunks)]
        lines.append(
            row(
                name,
                f"{len(r.streams)} of {count}",
                r.events(),
                f"{beyond(gaps[name], 0.5):.2f}",
                f"{beyond(gaps[name], 0.99):.2f}",
                f"{beyond(steady[name], 0.99):.2f}",
                f"{statistics.median(finish):.0f}" if finish else "n/a",
                f"{r.seconds:.1f}",
            )
        )
    return [
        *lines,
        "",
        f"- p99 chunk gap added by the gateway: **{figures.gap_added_ms:.1f} ms** over the "
        f"whole run, {figures.steady_gap_added_ms:.1f} ms in the steady window",
        f"- gateway memory: {cost.idle_kib / 1024:.1f} MiB idle, {cost.peak_kib / 1024:.1f} MiB "
        f"at the peak: **{figures.kib_per_stream:.1f} KiB per open stream**",
        f"- gateway CPU per relayed chunk: **{cpu}** (utime+stime over "
        f"{cost.window_seconds:.1f} s of the steady window, {cost.window_events:,} events)",
        f"- chunks relayed one by one, never coalesced: **{'yes' if relayed else 'NO'}** "
        "(as many events per stream through the gateway as direct)",
        "",
    ]


# The summary, the header, the rest ---------------------------------------------------------


def summary(figures: Figures) -> Lines:
    share = figures.gateway_rps / figures.floor_rps
    added = figures.gateway_p50 - figures.direct_p50
    lines = [
        "## Targets (#16)",
        "",
        row("target", "figure", "status"),
        rule(3),
        row(
            f"gateway ≥ {FLOOR_SHARE:.0%} of the floor's req/s, 32 connections, 1 KB chat",
            f"{share:.0%} ({figures.gateway_rps:,.0f} / {figures.floor_rps:,.0f} req/s)",
            met(share >= FLOOR_SHARE),
        ),
        row(
            f"added p50 over direct ≤ {ADDED_P50_MS:g} ms, one connection, 1 KB chat",
            f"{added:.2f} ms ({figures.gateway_p50:.2f} vs {figures.direct_p50:.2f})",
            met(added <= ADDED_P50_MS),
        ),
        row(
            "(the same ratio in CPU time per request: floor's / gateway's)",
            f"{figures.floor_cpu_us / figures.gateway_cpu_us:.0%} "
            f"({figures.floor_cpu_us:,.0f} / {figures.gateway_cpu_us:,.0f} µs)"
            if figures.floor_cpu_us and figures.gateway_cpu_us
            else "n/a",
            "context",
        ),
        row(
            "(for scale: the floor's own added p50, one connection)",
            f"{figures.floor_p50 - figures.direct_p50:.2f} ms",
            "context",
        ),
    ]
    for name, rps, surface_added in figures.surfaces or []:
        if name == "chat":
            continue
        ok = rps / figures.floor_rps >= FLOOR_SHARE and surface_added <= ADDED_P50_MS
        lines.append(
            row(
                f"{name}: chat's budget",
                f"{rps / figures.floor_rps:.0%} of the floor; +{surface_added:.2f} ms p50",
                met(ok),
            )
        )
    if figures.gap_added_ms is not None and figures.kib_per_stream is not None:
        lines += [
            row(
                f"{figures.streams:,} streams: p99 chunk gap added ≤ {STREAM_GAP_MS:g} ms",
                f"{figures.gap_added_ms:.1f} ms ({figures.steady_gap_added_ms:.1f} ms steady)",
                met(figures.gap_added_ms <= STREAM_GAP_MS),
            ),
            row(
                f"{figures.streams:,} streams: ≤ {STREAM_KIB:g} KiB each",
                f"{figures.kib_per_stream:.1f} KiB",
                met(figures.kib_per_stream <= STREAM_KIB),
            ),
        ]
    cpu = figures.cpu_us_per_chunk
    lines.append(
        row("gateway CPU per relayed chunk", f"{cpu:.0f} µs" if cpu else "n/a", "reported")
    )
    workers = "no `--workers` option"
    if figures.workers2_rps:
        times = figures.workers2_rps / figures.gateway_rps
        workers = f"{figures.workers2_rps:,.0f} req/s ({times:.2f} times one process)"
    lines.append(row("`serve --workers 2`, 32 connections", workers, "reported"))
    if figures.streams < 1000:
        lines += [
            "",
            f"(A `--quick` run: {figures.streams} streams, not 1,000; fewer, shorter rounds.)",
        ]
    return [*lines, ""]


def emulated_instances(plan: Plan) -> Lines:
    """What the emulator spends per request building a structured answer from its schema."""
    import enum

    from pydantic import BaseModel, Field

    from copilot_gateway.emulator.instances import instance_of

    class Status(enum.Enum):
        ACTIVE = "active"
        CLOSED = "closed"

    class Address(BaseModel):
        street: str
        city: str
        postcode: str = Field(pattern=r"^\d{5}$")

    class Customer(BaseModel):
        name: str
        age: int = Field(ge=18, le=130)
        born: datetime.date
        last_seen: datetime.datetime
        email: str | None = None
        status: Status
        home: Address
        previous: list[Address] = []

    schema = Customer.model_json_schema()
    iterations = 2000 if plan.quick else 20000
    instance_of(schema, "warm")
    started = time.perf_counter()
    for index in range(iterations):
        instance_of(schema, str(index))
    per_instance = (time.perf_counter() - started) / iterations * 1e6
    return [
        "## Emulated structured answers",
        "",
        "One instance of a pydantic model's schema (nested model, date, date-time, enum,",
        f"optional field, pattern), {iterations} times: **{per_instance:.0f} µs per instance**.",
        "",
    ]


def startup_seconds() -> float:
    code = (
        "import time; t = time.perf_counter();"
        "from copilot_gateway.app import build;"
        "from copilot_gateway.settings import Settings;"
        "build(Settings(api_keys='k')); print(time.perf_counter() - t)"
    )
    return float(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )


def header() -> Lines:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = os.getloadavg()[0]
    return [
        "# Benchmark results",
        "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; commit {commit}",
        f"- machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}; "
        f"load average {load:.2f} at the start",
        "- stub upstream, floor, gateway and wrk: separate processes on loopback, sharing "
        "the cores",
        f"- gateway start-up (spec loaded, validators compiled): {startup_seconds():.2f} s",
        "",
    ]


STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


def timed(section: Callable[..., Lines], *arguments: Any) -> Lines:
    lines = section(*arguments)
    progress(f"{section.__name__} done")
    return lines


def measure(plan: Plan) -> Lines:
    started_at = time.monotonic()
    lines = header()
    figures = Figures()
    upstreams = {"stub": stub(), "paced stub": stub(stream_chunks(plan), STREAM_INTERVAL_MS)}
    with servers(upstreams) as stubs:
        url = stubs["stub"].url
        # Every server starts now, at once (start-up is CPU-heavy): none starts mid-measurement.
        specs = {
            "floor": floor(url),
            "gateway": gateway(url, "gateway"),
            "translating": gateway(url, "translating", GATEWAY_UPSTREAM_RESPONSES="translate"),
            "streams gateway": gateway(stubs["paced stub"].url, "streams"),
        }
        if workers_supported():
            specs["gateway-2w"] = gateway(url, "gateway-2w", workers=2)
        if not plan.quick:  # eight more gateways to start: the full run only
            specs |= {VARIANT + name: variant(url, name) for name in VARIANTS}
        with servers(specs) as started:
            started |= stubs
            progress(f"{len(started)} servers up")
            sections = timed(headline, started, plan, figures)
            sections += timed(surfaces, started, plan, figures)
            sections += timed(features, started, plan) if not plan.quick else QUICK_FEATURES
            sections += timed(sizes, started, plan)
            sections += timed(embeddings, started, plan)
            sections += timed(tails, started, figures.gateway_rps, plan)
            sections += timed(profile_section, started, plan)
            sections += timed(streams_section, started, plan, figures)
    sections += emulated_instances(plan)
    took = (time.monotonic() - started_at) / 60
    return [*lines[:-1], f"- this run took {took:.1f} min", "", *summary(figures), *sections]


def run(step: Callable[[], Awaitable[T]]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(step())  # type: ignore[arg-type]
    return uvloop.run(step())  # type: ignore[arg-type]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="shorter and fewer runs: a rough run in 2 minutes"
    )
    parser.add_argument(
        "--streams", type=int, help="concurrent streams (default 1,000; 300 with --quick)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    arguments = parser.parse_args()
    report = "\n".join(measure(Plan.of(arguments.quick, arguments.streams))) + "\n"
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(report)
    print(report)
