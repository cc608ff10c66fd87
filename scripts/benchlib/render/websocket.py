"""The WebSocket section: a Responses turn over the gateway's WebSocket and over SSE, and
the upstream hop a bridge to Copilot's WebSocket would change."""

from __future__ import annotations

from ..figures import TurnTimes, WebSocketTurns
from .tables import Lines, table


def section(figures: WebSocketTurns) -> Lines:
    def cells(name: str, times: TurnTimes) -> tuple[object, ...]:
        return (name, times.turns, f"{times.p50_ms:.2f}", f"{times.p90_ms:.2f}")

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
        *table(("transport", "turns", "p50 ms", "p90 ms"), rows),
        "",
        "The first two rows go through the translating gateway, one connection each. The "
        "last two replay one turn's events from a local server: what bridging Copilot's "
        f"`ws:/responses` would change per turn is their difference, {saved:.2f} ms at the "
        "median.",
        "",
    ]
