"""The sections driven from the bench's own clients, not wrk: open-loop tails, many streams."""

from __future__ import annotations

from ..figures import Streams, Tails
from .tables import Lines, ms, table


def tails(figures: Tails) -> Lines:
    direct, gateway = figures.direct, figures.gateway

    quantiles = {
        "direct": (direct.p50_ms, direct.p90_ms, direct.p99_ms, direct.p999_ms),
        "gateway": (gateway.p50_ms, gateway.p90_ms, gateway.p99_ms, gateway.p999_ms),
    }
    added = [g - d for g, d in zip(quantiles["gateway"], quantiles["direct"], strict=True)]
    rows: list[tuple[object, ...]] = [
        ("direct", *(f"{v:.2f}" for v in quantiles["direct"]), direct.errors),
        ("gateway", *(f"{v:.2f}" for v in quantiles["gateway"]), gateway.errors),
        ("added", *(f"{v:.2f}" for v in added), ""),
    ]
    return [
        "## Tail latency at a fixed arrival rate (open loop)",
        "",
        f"{figures.rate:,.0f} req/s for {figures.seconds:g} s (half the gateway's rate at 32 "
        "connections), 1 KB chat, from an aiohttp client in the bench process (wrk has no open "
        "loop); each request timed from when it was due.",
        "",
        *table(("", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "errors"), rows),
        "",
    ]


def streams(figures: Streams) -> Lines:
    rows: list[tuple[object, ...]] = [
        (
            r.name,
            f"{r.done} of {figures.count}",
            list(r.events),
            ms(r.gap_p50_ms),
            ms(r.gap_p99_ms),
            ms(r.steady_gap_p99_ms),
            ms(r.finish_p50_ms, 0),
            f"{r.wall_s:.1f}",
        )
        for r in (figures.direct, figures.gateway, *([figures.mixed] if figures.mixed else []))
    ]
    header = (
        "",
        "streams done",
        "events per stream",
        "gap p50 ms",
        "gap p99 ms",
        "steady gap p99 ms",
        "finish p50 ms",
        "wall s",
    )
    cpu = figures.cpu_us_per_chunk
    relayed = "yes" if figures.relayed_one_by_one else "NO"
    return [
        f"## {figures.count:,} concurrent streams through one gateway process",
        "",
        f"The stub paces {figures.chunks} content chunks {figures.interval_ms:g} ms apart, then "
        "the finish, the usage when asked for, and `[DONE]`, paced too; the streams are opened "
        f"evenly over {figures.ramp_s:g} s from an aiohttp client in the bench process. Gaps "
        "between a stream's consecutive content chunks, beyond the pacing: over the whole run "
        "(openings of other streams included; the target is read on this) and over the steady "
        "window (every stream open, none finished). Finish: from the last content chunk to the "
        "finish chunk, beyond the pacing.",
        "",
        *table(header, rows),
        "",
        f"- p99 chunk gap added by the gateway: **{ms(figures.gap_added_ms, 1)} ms** over the "
        f"whole run, {ms(figures.steady_gap_added_ms, 1)} ms in the steady window",
        f"- gateway memory: {figures.idle_kib / 1024:.1f} MiB idle, "
        f"{figures.peak_kib / 1024:.1f} MiB at the peak: "
        f"**{figures.kib_per_stream:.1f} KiB per open stream**",
        f"- gateway CPU per relayed chunk: **{'n/a' if cpu is None else f'{cpu:.0f} µs'}** "
        f"(utime+stime over {figures.window_s:.1f} s of the steady window, "
        f"{figures.window_events:,} events)",
        f"- chunks relayed one by one, never coalesced: **{relayed}** "
        "(as many events per stream through the gateway as direct)",
        "",
    ]
