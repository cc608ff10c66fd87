"""Many chat streams open at once, straight at the upstream or through one gateway process:
the gaps between chunks as clients see them, the gateway's memory per open stream, and
its CPU time per relayed chunk.

CPU and chunks are counted over the steady window (every stream open, none finished), so
opening and closing the streams do not count towards the per-chunk figure.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import time
from dataclasses import dataclass, field

import aiohttp

from .procs import cpu_seconds, rss_kib


@dataclass
class Sampler:
    """The process's CPU time and RSS, sampled every `period` seconds."""

    pid: int
    period: float = 0.1
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)

    async def run(self) -> None:
        while True:
            self.times.append(time.perf_counter())
            self.cpu.append(cpu_seconds(self.pid))
            self.rss.append(rss_kib(self.pid))
            await asyncio.sleep(self.period)


async def one_stream(
    session: aiohttp.ClientSession, url: str, headers: dict, body: bytes
) -> list[float]:
    """The arrival time of each SSE event of one stream."""
    arrivals: list[float] = []
    async with session.post(url, data=body, headers=headers) as response:
        response.raise_for_status()
        pending = b""
        async for data in response.content.iter_any():
            now = time.perf_counter()
            # Gemini's events end with CRLF CRLF, chat's with LF LF.
            pending = (pending + data).replace(b"\r\n", b"\n")
            events = pending.count(b"\n\n")
            if events:
                arrivals += [now] * events
                pending = pending[pending.rfind(b"\n\n") + 2 :]
    return arrivals


@dataclass
class StreamsRun:
    streams: list[list[float]]  # each stream's event arrival times
    seconds: float
    failed: int

    def content_gaps(self, chunks: int) -> list[float]:
        """Gaps between a stream's consecutive content events (its opening left out)."""
        gaps: list[float] = []
        for arrivals in self.streams:
            gaps += [b - a for a, b in itertools.pairwise(arrivals[1 : 1 + chunks])]
        return sorted(gaps)

    def steady_gaps(self, chunks: int) -> list[float]:
        """Content gaps in the steady window (every stream open, none finished)."""
        start, end = self.window()
        gaps: list[float] = []
        for arrivals in self.streams:
            inside = [t for t in arrivals[1 : 1 + chunks] if start <= t <= end]
            gaps += [b - a for a, b in itertools.pairwise(inside)]
        return sorted(gaps)

    def finish_delays(self, chunks: int) -> list[float]:
        """From a stream's last content event to its finish event (the next one)."""
        return sorted(a[1 + chunks] - a[chunks] for a in self.streams if len(a) > 1 + chunks)

    def events(self) -> list[int]:
        return sorted({len(arrivals) for arrivals in self.streams})

    def window(self) -> tuple[float, float]:
        """Every stream open and sending, none finished."""
        return (
            max(arrivals[1] for arrivals in self.streams),
            min(arrivals[-1] for arrivals in self.streams),
        )

    def events_between(self, start: float, end: float) -> int:
        all_arrivals = sorted(t for arrivals in self.streams for t in arrivals)
        return bisect.bisect_right(all_arrivals, end) - bisect.bisect_left(all_arrivals, start)


async def open_streams(
    url: str,
    headers: dict[str, str],
    body: bytes,
    count: int,
    ramp_seconds: float,
    sampler: Sampler | None = None,
) -> StreamsRun:
    """`count` streams, opened evenly over `ramp_seconds` (as clients arrive, not all in
    the same millisecond), each read to its end."""
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=600)

    async def later(index: int) -> list[float]:
        await asyncio.sleep(index * ramp_seconds / count)
        return await one_stream(session, url, headers, body)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        sampling = asyncio.create_task(sampler.run()) if sampler else None
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(later(i) for i in range(count)), return_exceptions=True)
        seconds = time.perf_counter() - started
        if sampling:
            sampling.cancel()
    streams = [o for o in outcomes if isinstance(o, list) and o]
    return StreamsRun(streams, seconds, count - len(streams))


async def open_mixed(
    kinds: tuple[tuple[str, dict[str, str], bytes], ...], count: int, ramp_seconds: float
) -> StreamsRun:
    """`count` streams in all, as many of each kind (url, headers, body), opened together."""
    share = count // len(kinds)
    runs = await asyncio.gather(
        *(open_streams(url, headers, body, share, ramp_seconds) for url, headers, body in kinds)
    )
    return StreamsRun(
        [arrivals for each in runs for arrivals in each.streams],
        max(each.seconds for each in runs),
        count - share * len(kinds) + sum(each.failed for each in runs),
    )


@dataclass
class GatewayCost:
    idle_kib: int
    peak_kib: int
    cpu_us_per_event: float | None
    window_seconds: float
    window_events: int


def gateway_cost(run: StreamsRun, sampler: Sampler, idle_kib: int) -> GatewayCost:
    """Memory at the peak, and CPU per relayed event over the steady window."""
    start, end = run.window()
    inside = [i for i, t in enumerate(sampler.times) if start <= t <= end]
    cpu_us = None
    window_events = 0
    window = 0.0
    if len(inside) >= 2:
        first, last = inside[0], inside[-1]
        window = sampler.times[last] - sampler.times[first]
        window_events = run.events_between(sampler.times[first], sampler.times[last])
        if window_events:
            cpu_us = (sampler.cpu[last] - sampler.cpu[first]) / window_events * 1e6
    return GatewayCost(idle_kib, max(sampler.rss), cpu_us, window, window_events)
