"""The targets, each stated as met or not, from the figures of the run and its `Targets`."""

from __future__ import annotations

from ..figures import Report, find
from .dashboard import target_rows as dashboard_rows
from .first_second import target_rows as first_second_rows
from .incumbent import target_rows as incumbent_rows
from .ledger import target_rows as ledger_rows
from .memory import target_rows as memory_rows
from .priced import target_rows as priced_rows
from .tables import Lines, met, table
from .websocket import target_rows as websocket_rows

Row = tuple[object, ...]


def chat_rows(report: Report) -> list[Row]:
    head, targets = report.headline, report.targets
    if head is None:
        return []
    floor, gateway = head.run("floor", 32), head.run("gateway", 32)
    direct_1, floor_1, gateway_1 = (head.run(name, 1) for name in ("direct", "floor", "gateway"))
    share = gateway.rps / floor.rps
    added = gateway_1.p50_ms - direct_1.p50_ms
    cpu = (
        f"{floor.cpu_us / gateway.cpu_us:.0%} ({floor.cpu_us:,.0f} / {gateway.cpu_us:,.0f} µs)"
        if floor.cpu_us and gateway.cpu_us
        else "n/a"
    )
    return [
        (
            f"gateway ≥ {targets.floor_share:.0%} of the floor's req/s, 32 connections, 1 KB chat",
            f"{share:.0%} ({gateway.rps:,.0f} / {floor.rps:,.0f} req/s)",
            met(share >= targets.floor_share),
        ),
        (
            f"added p50 over direct ≤ {targets.added_p50_ms:g} ms, one connection, 1 KB chat",
            f"{added:.2f} ms ({gateway_1.p50_ms:.2f} vs {direct_1.p50_ms:.2f})",
            met(added <= targets.added_p50_ms),
        ),
        ("(the same ratio in CPU time per request: floor's / gateway's)", cpu, "context"),
        (
            "(for scale: the floor's own added p50, one connection)",
            f"{floor_1.p50_ms - direct_1.p50_ms:.2f} ms",
            "context",
        ),
    ]


def surface_rows(report: Report) -> list[Row]:
    """Every surface but chat against chat's budget (which needs the headline's floor)."""
    if report.surfaces is None or report.headline is None:
        return []
    floor_rps, targets = report.headline.run("floor", 32).rps, report.targets
    rows: list[Row] = []
    for surface in report.surfaces.rows:
        if surface.name == "chat":
            continue
        added = surface.at_1.p50_ms - find(report.surfaces.direct, surface.upstream, 1).p50_ms
        share = surface.at_32.rps / floor_rps
        ok = share >= targets.floor_share and added <= targets.added_p50_ms
        rows.append(
            (
                f"{surface.name}: chat's budget",
                f"{share:.0%} of the floor; +{added:.2f} ms p50",
                met(ok),
            )
        )
    return rows


def stream_rows(report: Report) -> list[Row]:
    streams, targets = report.streams, report.targets
    if streams is None:
        return []
    gap, steady = streams.gap_added_ms, streams.steady_gap_added_ms
    cpu = streams.cpu_us_per_chunk
    rows: list[Row] = []
    if gap is not None:
        rows.append(
            (
                f"{streams.count:,} streams: p99 chunk gap added ≤ {targets.stream_gap_ms:g} ms",
                f"{gap:.1f} ms ({'n/a' if steady is None else f'{steady:.1f}'} ms steady)",
                met(gap <= targets.stream_gap_ms),
            )
        )
    mixed = streams.mixed_gap_added_ms
    if mixed is not None:
        rows.append(
            (
                f"{streams.count:,} streams, half of them Gemini's: p99 chunk gap added ≤ "
                f"{targets.stream_gap_ms:g} ms",
                f"{mixed:.1f} ms",
                met(mixed <= targets.stream_gap_ms),
            )
        )
    rows += [
        (
            f"{streams.count:,} streams: ≤ {targets.stream_kib:g} KiB each",
            f"{streams.kib_per_stream:.1f} KiB",
            met(streams.kib_per_stream <= targets.stream_kib),
        ),
        ("gateway CPU per relayed chunk", f"{cpu:.0f} µs" if cpu else "n/a", "reported"),
    ]
    return rows


def embeddings_rows(report: Report) -> list[Row]:
    figures, targets = report.embeddings, report.targets
    if figures is None:
        return []
    added = {
        row.inputs: row.gateway.p50_ms - row.direct.p50_ms
        for row in figures.rows
        if row.connections == 1
    }
    rows: list[Row] = []
    if figures.inputs in added:
        rows.append(
            (
                f"embeddings, {figures.inputs} of {figures.dimensions:,}: added p50 ≤ "
                f"{targets.embeddings_added_ms:g} ms, one connection",
                f"{added[figures.inputs]:.1f} ms",
                met(added[figures.inputs] <= targets.embeddings_added_ms),
            )
        )
    if {16, figures.inputs, 1024} <= set(added):
        low = (added[figures.inputs] - added[16]) / (figures.inputs - 16)
        high = (added[1024] - added[figures.inputs]) / (1024 - figures.inputs)
        ratio = high / low if low > 0 else float("inf")
        rows.append(
            (
                f"embeddings grow linearly: added per vector, {figures.inputs}→1,024 ≤ "
                f"{targets.embeddings_linearity:g} times 16→{figures.inputs}",
                f"{high * 1000:.1f} vs {low * 1000:.1f} µs per vector ({ratio:.2f} times)",
                met(ratio <= targets.embeddings_linearity),
            )
        )
    return rows


def workers_row(report: Report) -> list[Row]:
    head = report.headline
    if head is None:
        return []
    shown = "no `--workers` option"
    if head.workers:
        two, one = head.run("gateway --workers 2", 32).rps, head.run("gateway", 32).rps
        shown = f"{two:,.0f} req/s ({two / one:.2f} times one process)"
    return [("`serve --workers 2`, 32 connections", shown, "reported")]


def summary(report: Report) -> Lines:
    rows = chat_rows(report) + first_second_rows(report.first_second, report.targets)
    rows += memory_rows(report.memory, report.targets)
    rows += surface_rows(report) + stream_rows(report) + workers_row(report)
    rows += embeddings_rows(report)
    rows += ledger_rows(report.ledger, report.targets)
    rows += dashboard_rows(report.dashboard, report.targets)
    rows += priced_rows(report.priced, report.targets)
    rows += websocket_rows(report.websocket, report.targets)
    rows += incumbent_rows(report.incumbent, report.targets)
    if not rows:
        return []
    lines = ["## Targets", "", *table(("target", "figure", "status"), rows)]
    if report.meta.quick:
        count = report.streams.count if report.streams else 1000
        streams = f"{count} streams, not 1,000; " if count < 1000 else ""
        lines += ["", f"(A `--quick` run: {streams}fewer, shorter rounds.)"]
    return [*lines, ""]
