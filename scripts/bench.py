"""copilot-gateway's benchmark: the gateway against a direct call to the same upstream.

The emulator (zero added latency unless said) and the gateway run as separate processes
on loopback; an aiohttp load generator in this process drives both in the same run, so
every figure is read as a ratio or a difference. Its own ceiling is measured first,
against a server that does nothing, to show it is not the bottleneck.

    scripts/bench [--quick] [--output benchmarks/results.md]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import itertools
import json
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
GATEWAY_KEY = "sk-bench"
EDITOR_HEADERS = {"Editor-Version": "vscode/1.104.3", "Copilot-Integration-Id": "vscode-chat"}


class NullServer(asyncio.Protocol):
    """Answers every HTTP request at once with a fixed reply: the load generator's ceiling."""

    REPLY = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
            lengths = [
                line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length")
            ]
            length = int(lengths[0].split(b":")[1]) if lengths else 0
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            self.transport.write(self.REPLY)  # type: ignore[attr-defined]


async def serve_null(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(NullServer, "127.0.0.1", port)
    await server.serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited")
        try:
            with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not start")


@contextmanager
def process(
    args: list[str], env: dict[str, str] | None = None, port_flag: str = "--port"
) -> Iterator[tuple[str, int]]:
    """Run a server on a free port (given as `port_flag PORT`); yields its base URL and pid."""
    port = free_port()
    command = [*args, *([port_flag] if port_flag else []), str(port)]
    child = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, child)
        yield url, child.pid
    finally:
        child.terminate()
        child.wait(timeout=15)


def gateway_command() -> list[str]:
    return [sys.executable, "-m", "copilot_gateway"]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# Load generation -------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    url: str
    headers: dict[str, str]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Run:
    latencies: list[float]
    seconds: float
    errors: int

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


async def post(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> int:
    """POST and read the answer; its status, or 0 when the connection failed twice."""
    for _attempt in range(2):  # a pooled connection the server just closed fails once
        try:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError):
            continue
    return 0


async def closed_loop(
    session: aiohttp.ClientSession,
    target: Target,
    path: str,
    body: bytes,
    concurrency: int,
    requests: int,
) -> Run:
    latencies: list[float] = []
    errors = 0
    remaining = requests

    async def worker() -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            if await post(session, target.url + path, body, target.headers) != 200:
                errors += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(latencies, time.perf_counter() - started, errors)


async def open_loop(
    session: aiohttp.ClientSession,
    target: Target,
    path: str,
    body: bytes,
    rate: float,
    seconds: float,
) -> Run:
    """Requests on a fixed schedule, each timed from when it was due (no coordinated omission)."""
    latencies: list[float] = []
    errors = 0

    async def one(due: float) -> None:
        nonlocal errors
        errors += await post(session, target.url + path, body, target.headers) != 200
        latencies.append(time.perf_counter() - due)

    tasks = []
    start = time.perf_counter()
    for index in range(int(rate * seconds)):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return Run(latencies, time.perf_counter() - start, errors)


async def stream_once(
    session: aiohttp.ClientSession, target: Target, body: bytes
) -> tuple[float, list[float], int]:
    """(time to first content event, gaps between content events, content events)"""
    started = time.perf_counter()
    arrivals: list[float] = []
    async with session.post(
        target.url + "/chat/completions", data=body, headers=target.headers
    ) as response:
        buffer = b""
        async for data in response.content.iter_any():
            now = time.perf_counter()
            buffer += data
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                if b'"content"' in event and b'"content":""' not in event:
                    arrivals.append(now)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    return (arrivals[0] - started if arrivals else float("nan")), gaps, len(arrivals)


# The benchmark -------------------------------------------------------------------------


def chat_body(size: int, stream: bool = False) -> bytes:
    """A chat request of about `size` bytes: a conversation of 1 KB messages."""
    filler = "lorem ipsum dolor sit amet " * 36  # ~1 KB
    messages = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": filler}
        for i in range(max(1, size // 1024))
    ]
    messages.append({"role": "user", "content": "Tell me about gateways and how fast they are"})
    return json.dumps({"model": "gpt-4o", "messages": messages, "stream": stream}).encode()


def direct_target(emulator_url: str) -> Target:
    import urllib.request

    request = urllib.request.Request(
        emulator_url + "/copilot_internal/v2/token", headers={"Authorization": "token gho_bench"}
    )
    token = json.loads(urllib.request.urlopen(request).read())["token"]
    headers = {
        **EDITOR_HEADERS,
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
    }
    return Target("direct", emulator_url, headers)


def gateway_target(gateway_url: str) -> Target:
    return Target(
        "gateway",
        gateway_url + "/v1",
        {"Authorization": f"Bearer {GATEWAY_KEY}", "Content-Type": "application/json"},
    )


@contextmanager
def gateway(emulator_url: str, **env: str) -> Iterator[tuple[str, int]]:
    settings = {
        "GITHUB_TOKEN": "gho_bench",
        "GATEWAY_GITHUB_API_URL": emulator_url,
        "GATEWAY_API_KEYS": GATEWAY_KEY,
        **env,
    }
    with process([*gateway_command(), "serve"], settings) as running:
        yield running


Lines = list[str]


async def warm(session: aiohttp.ClientSession, targets: list[Target]) -> None:
    for target in targets:
        await closed_loop(session, target, "/chat/completions", chat_body(1024), 8, 200)


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


async def generator_ceiling(session: aiohttp.ClientSession, requests: int) -> Lines:
    with process([sys.executable, __file__, "--null-server"]) as (url, _):
        target = Target("null", url, {"Content-Type": "application/json"})
        await closed_loop(session, target, "/", b"{}", 64, 500)
        run = await closed_loop(session, target, "/", chat_body(1024), 64, requests)
    return [
        "## Load generator ceiling",
        "",
        f"Against a server that answers at once: **{run.rps:,.0f} req/s** at concurrency 64 "
        "(1 KB bodies). Every figure below is well under it: the generator does not limit them.",
        "",
    ]


async def chat_sizes(
    session: aiohttp.ClientSession, direct: Target, through: Target, quick: bool
) -> tuple[Lines, dict]:
    lines = [
        "## Non-streaming chat",
        "",
        "Closed loop. Added = gateway - direct, same run.",
        "",
        row(
            "body",
            "concurrency",
            "direct req/s",
            "gateway req/s",
            "gateway/direct",
            "direct p50/p90/p99 ms",
            "gateway p50/p90/p99 ms",
            "added p50 ms",
            "added p99 ms",
        ),
        row(*["---"] * 9),
    ]
    summary = {}
    sizes = [(1024, "1 KB"), (16 * 1024, "16 KB"), (256 * 1024, "256 KB"), (1024 * 1024, "1 MB")]
    for size, label in sizes:
        body = chat_body(size)
        for concurrency in (1, 64):
            count = {1024: 2000, 16384: 1500, 262144: 300, 1048576: 80}[size] // (4 if quick else 1)
            if concurrency == 1:
                count //= 2
            runs = {}
            for target in (direct, through):
                runs[target.name] = await closed_loop(
                    session, target, "/chat/completions", body, concurrency, count
                )
            d, g = runs["direct"], runs["gateway"]
            lines.append(
                row(
                    label,
                    concurrency,
                    f"{d.rps:,.0f}",
                    f"{g.rps:,.0f}",
                    f"{g.rps / d.rps:.0%}",
                    f"{d.ms(0.5):.2f} / {d.ms(0.9):.2f} / {d.ms(0.99):.2f}",
                    f"{g.ms(0.5):.2f} / {g.ms(0.9):.2f} / {g.ms(0.99):.2f}",
                    f"{g.ms(0.5) - d.ms(0.5):.2f}",
                    f"{g.ms(0.99) - d.ms(0.99):.2f}",
                )
            )
            summary[(label, concurrency)] = (d, g)
    return [*lines, ""], summary


async def tails(
    session: aiohttp.ClientSession, direct: Target, through: Target, gateway_rps: float, quick: bool
) -> Lines:
    rate = max(50.0, round(gateway_rps * 0.5, -1))
    seconds = 5 if quick else 15
    body = chat_body(1024)
    runs = {
        t.name: await open_loop(session, t, "/chat/completions", body, rate, seconds)
        for t in (direct, through)
    }
    d, g = runs["direct"], runs["gateway"]
    return [
        "## Tail latency at a fixed arrival rate (open loop)",
        "",
        f"{rate:,.0f} req/s for {seconds} s (half the gateway's closed-loop rate), 1 KB chat; "
        "each request timed from when it was due.",
        "",
        row("", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "errors"),
        row(*["---"] * 6),
        row("direct", *(f"{d.ms(q):.2f}" for q in (0.5, 0.9, 0.99, 0.999)), d.errors),
        row("gateway", *(f"{g.ms(q):.2f}" for q in (0.5, 0.9, 0.99, 0.999)), g.errors),
        row("added", *(f"{g.ms(q) - d.ms(q):.2f}" for q in (0.5, 0.9, 0.99, 0.999)), ""),
        "",
    ]


async def streaming(
    session: aiohttp.ClientSession, direct: Target, through: Target, quick: bool
) -> Lines:
    body = json.dumps(
        {
            "model": "gpt-4o",
            "stream": True,
            "messages": [{"role": "user", "content": " ".join(f"word{i}" for i in range(30))}],
        }
    ).encode()
    results = {}
    for target in (direct, through):
        firsts, gaps, counts = [], [], set()
        for _ in range(30 if quick else 100):
            first, between, events = await stream_once(session, target, body)
            firsts.append(first)
            gaps += between
            counts.add(events)
        results[target.name] = (firsts, gaps, counts)
    (df, dg, dc), (gf, gg, gc) = results["direct"], results["gateway"]
    return [
        "## Streaming",
        "",
        "The emulator paced at 5 ms between chunks; one stream at a time.",
        "",
        row(
            "",
            "first chunk p50 ms",
            "first chunk p99 ms",
            "gap p50 ms",
            "gap p99 ms",
            "content chunks per stream",
        ),
        row(*["---"] * 6),
        row(
            "direct",
            f"{percentile(df, 0.5) * 1000:.2f}",
            f"{percentile(df, 0.99) * 1000:.2f}",
            f"{percentile(dg, 0.5) * 1000:.2f}",
            f"{percentile(dg, 0.99) * 1000:.2f}",
            sorted(dc),
        ),
        row(
            "gateway",
            f"{percentile(gf, 0.5) * 1000:.2f}",
            f"{percentile(gf, 0.99) * 1000:.2f}",
            f"{percentile(gg, 0.5) * 1000:.2f}",
            f"{percentile(gg, 0.99) * 1000:.2f}",
            sorted(gc),
        ),
        "",
        f"Chunks are relayed one by one, never coalesced: **{'yes' if dc == gc else 'NO'}** "
        "(the same number of content chunks arrive through the gateway as directly).",
        "",
    ]


async def embeddings(
    session: aiohttp.ClientSession, direct: Target, through: Target, quick: bool
) -> Lines:
    body = json.dumps(
        {"model": "text-embedding-3-small", "input": [f"input number {i}" for i in range(256)]}
    ).encode()
    lines = [
        "## Embeddings, 256 inputs",
        "",
        row(
            "concurrency",
            "direct req/s",
            "gateway req/s",
            "direct p50 ms",
            "gateway p50 ms",
            "added p50 ms",
        ),
        row(*["---"] * 6),
    ]
    for concurrency in (1, 8):
        count = (20 if quick else 60) * concurrency
        d = await closed_loop(session, direct, "/embeddings", body, concurrency, count)
        g = await closed_loop(session, through, "/embeddings", body, concurrency, count)
        lines.append(
            row(
                concurrency,
                f"{d.rps:,.1f}",
                f"{g.rps:,.1f}",
                f"{d.ms(0.5):.1f}",
                f"{g.ms(0.5):.1f}",
                f"{g.ms(0.5) - d.ms(0.5):.1f}",
            )
        )
    return [*lines, ""]


async def open_streams(streams: int, quick: bool) -> Lines:
    """Memory and chunk gaps with many streams open at once through one gateway process."""
    interval_ms = 500
    env = {"GATEWAY_EMULATOR_TOKEN_INTERVAL_MS": str(interval_ms)}
    body = json.dumps(
        {
            "model": "gpt-4o",
            "stream": True,
            "messages": [
                {"role": "user", "content": " ".join(f"w{i}" for i in range(8 if quick else 12))}
            ],
        }
    ).encode()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=600)
    with (
        process([*gateway_command(), "emulator"], env) as (emulator_url, _),
        gateway(emulator_url) as (gateway_url, pid),
    ):
        through = gateway_target(gateway_url)
        direct = direct_target(emulator_url)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await warm(session, [through])
            await asyncio.sleep(0.5)
            idle = rss_kib(pid)
            samples: list[int] = []

            async def sample() -> None:
                while True:
                    samples.append(rss_kib(pid))
                    await asyncio.sleep(0.25)

            results = {}
            for target in (direct, through):
                sampler = asyncio.create_task(sample()) if target is through else None
                outcomes = await asyncio.gather(
                    *(stream_once(session, target, body) for _ in range(streams))
                )
                if sampler:
                    sampler.cancel()
                gaps = [gap - interval_ms / 1000 for _, between, _ in outcomes for gap in between]
                results[target.name] = (gaps, {events for _, _, events in outcomes})
    peak = max(samples)
    (dg, dc), (gg, gc) = results["direct"], results["gateway"]
    return [
        f"## {streams:,} concurrent streams through one gateway process",
        "",
        f"The emulator paces chunks {interval_ms} ms apart; all streams open at once.",
        "",
        row("", "gap beyond the pacing p50 ms", "p99 ms", "content chunks per stream"),
        row(*["---"] * 4),
        row(
            "direct",
            f"{percentile(dg, 0.5) * 1000:.2f}",
            f"{percentile(dg, 0.99) * 1000:.2f}",
            sorted(dc),
        ),
        row(
            "gateway",
            f"{percentile(gg, 0.5) * 1000:.2f}",
            f"{percentile(gg, 0.99) * 1000:.2f}",
            sorted(gc),
        ),
        "",
        f"Gateway memory: {idle / 1024:.1f} MiB idle, {peak / 1024:.1f} MiB at the peak: "
        f"**{(peak - idle) / streams:.1f} KiB per open stream**.",
        "",
    ]


def emulated_instances(quick: bool) -> Lines:
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
    iterations = 2000 if quick else 20000
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


async def transports(emulator_url: str, quick: bool) -> Lines:
    lines = [
        "## The upstream connection pool under httpx",
        "",
        "The same gateway with each transport, 1 KB chat, closed loop.",
        "",
        row("transport", "concurrency", "req/s", "p50 ms", "p99 ms"),
        row(*["---"] * 5),
    ]
    body = chat_body(1024)
    for transport in ("aiohttp", "httpx"):
        with gateway(emulator_url, GATEWAY_UPSTREAM_TRANSPORT=transport) as (url, _):
            target = gateway_target(url)
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                await warm(session, [target])
                for concurrency in (64, 256):
                    run = await closed_loop(
                        session,
                        target,
                        "/chat/completions",
                        body,
                        concurrency,
                        1000 if quick else 3000,
                    )
                    lines.append(
                        row(
                            transport,
                            concurrency,
                            f"{run.rps:,.0f}",
                            f"{run.ms(0.5):.1f}",
                            f"{run.ms(0.99):.1f}",
                        )
                    )
    return [*lines, ""]


# Where a request's time goes in the gateway process: the innermost frame that belongs to a
# part, over py-spy's samples of the process under load (idle samples left out).
PARTS = [
    ("request validation (jsonschema-rs, orjson)", ("copilot_gateway/validation.py",)),
    ("upstream HTTP client (httpx API)", ("httpx/",)),
    ("upstream HTTP transport (aiohttp)", ("aiohttp/", "httpx_aiohttp/")),
    ("our handlers, upstream adapter, checks", ("copilot_gateway/",)),
    ("connexion (routing, security, middleware)", ("connexion/",)),
    ("starlette (requests, responses)", ("starlette/",)),
    ("uvicorn + httptools (HTTP server)", ("uvicorn/", "httptools/")),
]


def part_of(stack: list[str]) -> str:
    for frame in reversed(stack):
        for name, markers in PARTS:
            if any(marker in frame for marker in markers):
                return name
    return "event loop and other"


async def profile(gateway_pid: int, target: Target, seconds: int) -> Lines:
    """py-spy samples of the gateway while it serves 1 KB chats at concurrency 8."""
    raw = Path(f"/tmp/gateway-profile-{gateway_pid}.txt")
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        return ["## Profile", "", "(py-spy is not installed in .venv: `pip install py-spy`)", ""]
    recorder = await asyncio.create_subprocess_exec(
        str(spy),
        "record",
        "-p",
        str(gateway_pid),
        "-o",
        str(raw),
        "-f",
        "raw",
        "-d",
        str(seconds),
        "-r",
        "500",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.sleep(1)
    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + seconds - 1
        while time.monotonic() < deadline:
            await closed_loop(session, target, "/chat/completions", chat_body(1024), 8, 400)
    await recorder.wait()
    counts: dict[str, int] = {}
    for line in raw.read_text().splitlines():  # noqa: ASYNC240 (once, after the load)
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        if "select" in frames[-1] or "_run_once" in frames[-1]:
            continue  # waiting for I/O, not working
        counts[part_of(frames)] = counts.get(part_of(frames), 0) + int(samples)
    total = sum(counts.values())
    rows = [
        row(name, f"{n / total:.0%}") for name, n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    return [
        "## Where the gateway's time goes",
        "",
        "py-spy, gateway process, 1 KB chats at concurrency 8, busy samples by the part of "
        "the stack they were in (innermost part wins):",
        "",
        row("part", "share"),
        row("---", "---"),
        *rows,
        "",
    ]


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
    return [
        "# Benchmark results",
        "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; commit {commit}",
        f"- machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}",
        "- emulator, gateway and load generator: separate processes on loopback, sharing the cores",
        f"- gateway start-up (spec loaded, validators compiled): {startup_seconds():.2f} s",
        "",
    ]


async def measure(quick: bool, streams: int) -> Lines:
    lines = header()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        lines += await generator_ceiling(session, 3000 if quick else 10000)
    with (
        process([*gateway_command(), "emulator"]) as (emulator_url, _),
        gateway(emulator_url) as (gateway_url, gateway_pid),
    ):
        direct, through = direct_target(emulator_url), gateway_target(gateway_url)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            await warm(session, [direct, through])
            section, summary = await chat_sizes(session, direct, through, quick)
            lines += section
            lines += await tails(session, direct, through, summary[("1 KB", 64)][1].rps, quick)
            lines += await embeddings(session, direct, through, quick)
        lines += await profile(gateway_pid, through, 6 if quick else 15)
        lines += await transports(emulator_url, quick)
    paced = {"GATEWAY_EMULATOR_TOKEN_INTERVAL_MS": "5"}
    with (
        process([*gateway_command(), "emulator"], paced) as (emulator_url, _),
        gateway(emulator_url) as (gateway_url, _),
    ):
        async with aiohttp.ClientSession() as session:
            direct, through = direct_target(emulator_url), gateway_target(gateway_url)
            await warm(session, [through])
            lines += await streaming(session, direct, through, quick)
    lines += await open_streams(streams, quick)
    lines += emulated_instances(quick)
    return lines


def run(step: Callable[[], Awaitable[T]]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(step())  # type: ignore[arg-type]
    return uvloop.run(step())  # type: ignore[arg-type]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer requests: a rough run in about a minute"
    )
    parser.add_argument(
        "--streams", type=int, default=1000, help="concurrent streams for the memory figure"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--null-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.null_server:
        run(lambda: serve_null(arguments.port))
    else:
        report = "\n".join(run(lambda: measure(arguments.quick, arguments.streams))) + "\n"
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(report)
        print(report)
