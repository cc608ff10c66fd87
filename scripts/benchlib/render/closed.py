"""The closed-loop sections (wrk): chat, the surfaces, feature costs, body sizes, embeddings."""

from __future__ import annotations

from ..figures import Embeddings, Features, Headline, Sizes, Surfaces, find
from ..targets import Targets
from .tables import Lines, cpu_us, table


def share(rps: float, floor_rps: float | None) -> str:
    return f"{rps / floor_rps:.0%}" if floor_rps else "n/a"


def headline(figures: Headline) -> Lines:
    names = figures.names()
    rows: list[tuple[object, ...]] = []
    for count in (1, 32):
        floor, direct = figures.run("floor", count), figures.run("direct", count)
        for name in names:
            run = figures.run(name, count)
            rows.append(
                (
                    name,
                    count,
                    f"{run.rps:,.0f}",
                    cpu_us(run),
                    f"{run.p50_ms:.2f}",
                    f"{run.p90_ms:.2f}",
                    f"{run.p99_ms:.2f}",
                    "" if name == "direct" else share(run.rps, floor.rps),
                    f"{run.p50_ms - direct.p50_ms:.2f}",
                    run.failed,
                )
            )
    lines = [
        "## Chat, 1 KB: direct, floor, gateway",
        "",
        f"wrk, one thread, closed loop; {figures.rounds} rounds of {figures.seconds:g} s per row, "
        "the targets interleaved; medians. `direct` is wrk straight at the stub: wrk's ceiling. "
        "`floor`: the smallest connexion app passing the body to the same upstream client. "
        "vs floor: req/s over the floor's at the same connections; added p50: over direct. "
        "CPU: the server's CPU time per request (utime+stime, its workers' included).",
        "",
        *table(
            (
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
            rows,
        ),
    ]
    if not figures.workers:
        lines += ["", "`copilot-gateway serve` has no `--workers` option here: no two-worker row."]
    return [*lines, ""]


def surfaces(figures: Surfaces, floor_rps: float | None, targets: Targets) -> Lines:
    rows: list[tuple[object, ...]] = []
    for surface in figures.rows:
        added = surface.at_1.p50_ms - find(figures.direct, surface.upstream, 1).p50_ms
        rows.append(
            (
                surface.name,
                f"{surface.at_32.rps:,.0f}",
                cpu_us(surface.at_32),
                share(surface.at_32.rps, floor_rps),
                f"{surface.at_1.p50_ms:.2f}",
                f"{added:.2f}",
                f"{surface.at_32.p99_ms:.2f}",
                surface.at_32.failed + surface.at_1.failed,
            )
        )
    floor = f"{floor_rps:,.0f} req/s" if floor_rps else "not measured"
    directs = "; ".join(
        f"{entry.name.split(' ')[0]} {entry.run.p50_ms:.3f} ms" for entry in figures.direct
    )
    return [
        "## Responses and Messages, beside chat",
        "",
        "~1 KB requests; native: the stub serves `/responses` and `/messages` itself; "
        "translated: `GATEWAY_UPSTREAM_RESPONSES=translate` (the `openai` upstream then lists "
        "only chat and embeddings, so both surfaces go through chat). The budget is chat's: "
        f"≥ {targets.floor_share:.0%} of the chat floor's req/s at 32 connections (floor: "
        f"{floor} in the section above), ≤ {targets.added_p50_ms:g} ms added p50 "
        "at one connection over a direct call to the upstream endpoint it uses.",
        "",
        *table(
            (
                "surface",
                "req/s at 32",
                "CPU µs/request",
                "vs chat floor",
                "p50 ms at 1",
                "added p50 ms",
                "p99 ms at 32",
                "failed",
            ),
            rows,
        ),
        "",
        f"Direct p50 at one connection: {directs}.",
        "",
    ]


FEATURES_HEADING = "## What each feature costs"


def features(figures: Features | None, quick: bool) -> Lines:
    if figures is None:
        if not quick:
            return []
        return [
            FEATURES_HEADING,
            "",
            "(Measured by the full run only: nine more gateways to start.)",
            "",
        ]
    base = figures.rows[0].spent_us  # everything on
    rows: list[tuple[object, ...]] = []
    for feature in figures.rows:
        # Rows switching something on (limits, another transport) add; the others save.
        cost = feature.spent_us - base if feature.switches_on else base - feature.spent_us
        shown = "" if feature is figures.rows[0] else f"{cost:+.0f}"
        run = feature.run
        rows.append(
            (feature.description, f"{run.rps:,.0f}", f"{feature.spent_us:,.0f}", shown, run.failed)
        )
    return [
        FEATURES_HEADING,
        "",
        "The gateway launched by `benchlib.variants` with one feature switched off (by "
        "its setting where there is one, else patched out in that process only), 1 KB chat at "
        "32 connections, rounds interleaved, medians. The cost is read on the gateway's CPU "
        "time per request, not on req/s (which the machine's other work moves by more than a "
        "feature costs): what the feature takes, per request, against everything on.",
        "",
        *table(
            ("variant", "req/s", "CPU µs/request", "the feature costs µs/request", "failed"), rows
        ),
        "",
    ]


def sizes(figures: Sizes) -> Lines:
    rows: list[tuple[object, ...]] = [
        (
            size.label,
            size.connections,
            f"{size.direct.rps:,.0f}",
            f"{size.floor.rps:,.0f}",
            f"{size.gateway.rps:,.0f}",
            f"{size.gateway.rps / size.floor.rps:.0%}",
            f"{size.direct.p50_ms:.2f}",
            f"{size.gateway.p50_ms:.2f}",
            f"{size.gateway.p50_ms - size.direct.p50_ms:.2f}",
            f"{size.gateway.p99_ms:.2f}",
        )
        for size in figures.rows
    ]
    header = (
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
    )
    return [
        "## Chat body sizes",
        "",
        "One round; direct, floor and gateway interleaved. Added = gateway - direct.",
        "",
        *table(header, rows),
        "",
    ]


def embeddings(figures: Embeddings) -> Lines:
    rows: list[tuple[object, ...]] = [
        (
            f"{entry.inputs:,}",
            entry.connections,
            f"{entry.direct.rps:,.1f}",
            f"{entry.gateway.rps:,.1f}",
            f"{entry.direct.p50_ms:.1f}",
            f"{entry.gateway.p50_ms:.1f}",
            f"{entry.gateway.p50_ms - entry.direct.p50_ms:.1f}",
            cpu_us(entry.gateway),
        )
        for entry in figures.rows
    ]
    header = (
        "inputs",
        "connections",
        "direct req/s",
        "gateway req/s",
        "direct p50 ms",
        "gateway p50 ms",
        "added p50 ms",
        "gateway CPU µs/request",
    )
    return [
        f"## Embeddings of {figures.dimensions:,} dimensions",
        "",
        "One round each. The upstream's vectors are passed on as it wrote them (their syntax "
        "and type checked, not parsed into Python); the rest of the answer is checked against "
        "the spec.",
        "",
        *table(header, rows),
        "",
    ]
