"""The WebSocket section: a Responses turn over the gateway's WebSocket and over SSE, and
the upstream hop a bridge to Copilot's WebSocket would change."""

from __future__ import annotations

from ..figures import TurnTimes, WebSocketTurns
from ..targets import Targets
from .tables import Lines, met, table


def target_rows(figures: WebSocketTurns | None, targets: Targets) -> list[tuple[object, ...]]:
    cost = None if figures is None else figures.relay_cost_us
    if cost is None:
        return []
    budget = targets.feature_cpu_us
    return [
        (
            f"WebSocket relay ≤ {budget / 1000:g} ms server CPU per request (a Responses turn "
            "over it, against over SSE)",
            f"{cost:+.0f} µs",
            met(cost <= budget),
        )
    ]


def section(figures: WebSocketTurns) -> Lines:
    def cells(name: str, times: TurnTimes) -> tuple[object, ...]:
        cpu = "" if times.cpu_us is None else f"{times.cpu_us:,.0f}"
        return (name, times.turns, f"{times.p50_ms:.2f}", f"{times.p90_ms:.2f}", cpu)

    rows = [
        cells("client → gateway over SSE (`POST /v1/responses`)", figures.sse),
        cells("client → gateway over its WebSocket", figures.websocket),
        cells("upstream hop over SSE, kept-alive HTTP (prototype)", figures.upstream_http),
        cells("upstream hop over an open WebSocket (prototype)", figures.upstream_websocket),
    ]
    saved = figures.upstream_http.p50_ms - figures.upstream_websocket.p50_ms
    return [
        f"## Responses over WebSocket, turn after turn ({figures.events} events a turn)",
        "",
        *table(("transport", "turns", "p50 ms", "p90 ms", "gateway CPU µs/turn"), rows),
        "",
        "The first two rows go through the translating gateway, one connection each, with its "
        "CPU time (utime + stime) over their turns: the relay's price is the difference. The "
        "last two replay one turn's events from a local server: what bridging Copilot's "
        f"`ws:/responses` would change per turn is their difference, {saved:.2f} ms at the "
        "median.",
        "",
    ]
