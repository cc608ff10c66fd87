"""Responses over the gateway's WebSocket against the same turn over SSE, and the upstream
hop a bridge to Copilot's `ws:/responses` would change: the same events over an open
WebSocket against SSE on a kept-alive HTTP connection (the emulator speaks no WebSocket,
so the hop is a local prototype that answers each turn with the frames a real turn sent).

Turn after turn on one connection, as an agent's conversation goes: latency, not
throughput. Both gateway rows go through the translating gateway (Responses through the
stub's chat streams), so they differ only by the client's transport.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
from websockets.asyncio.server import ServerConnection, serve
from websockets.sync.client import connect

from ..figures import TurnTimes, WebSocketTurns
from ..fleet import Fleet
from ..plan import Plan
from ..procs import cpu_seconds
from ..servers import KEY

AUTH = {"Authorization": f"Bearer {KEY}"}
BODY = {"model": "gpt-4o", "input": "Tell me about gateways", "store": False}
TERMINAL = ("response.completed", "response.failed", "response.incomplete", "error")


# A connection serves at most GATEWAY_WEBSOCKET_MESSAGES_PER_MINUTE (120) turns a minute:
# the turns run on a new connection (its handshake not timed) after this many.
TURNS_PER_CONNECTION = 100


def measure(fleet: Fleet, plan: Plan) -> WebSocketTurns:
    turns = 50 if plan.quick else 300
    url = fleet.translating.url.replace("http://", "ws://") + "/v1/responses"
    pid = fleet.translating.pid
    seconds: list[float] = []
    frames: list[str] = []
    cpu = 0.0  # the gateway's, over the timed turns (the handshakes between them included)
    while len(seconds) < turns:
        with connect(url, additional_headers=AUTH) as ws:
            frames = websocket_turn(ws)  # untimed, the first: the frames the prototype replays
            batch = min(TURNS_PER_CONNECTION - 1, turns - len(seconds))
            before = cpu_seconds(pid)
            seconds += timed(batch, lambda: websocket_turn(ws))
            cpu += cpu_seconds(pid) - before
    over_websocket = quantiles(seconds, cpu)
    with httpx.Client(base_url=fleet.translating.url, headers=AUTH, timeout=60) as client:
        sse_turn(client)
        before = cpu_seconds(pid)
        sse_seconds = timed(turns, lambda: sse_turn(client))
        over_sse = quantiles(sse_seconds, cpu_seconds(pid) - before)
    with frames_served(frames) as (ws_url, http_url):
        with connect(ws_url) as hop:
            prototype_turn(hop, len(frames))
            upstream_websocket = quantiles(timed(turns, lambda: prototype_turn(hop, len(frames))))
        with httpx.Client(timeout=60) as client:
            client.post(http_url, content=b"{}").read()
            upstream_http = quantiles(
                timed(turns, lambda: client.post(http_url, content=b"{}").read())
            )
    return WebSocketTurns(len(frames), over_sse, over_websocket, upstream_http, upstream_websocket)


def timed(turns: int, turn: Callable[[], object]) -> list[float]:
    """The turn run `turns` times in a row: how long each took, in seconds."""
    seconds = []
    for _ in range(turns):
        began = time.perf_counter()
        turn()
        seconds.append(time.perf_counter() - began)
    return seconds


def quantiles(seconds: list[float], cpu: float | None = None) -> TurnTimes:
    """The turns' median and p90, and the server's CPU per turn where it was measured."""
    deciles = statistics.quantiles(seconds, n=10)
    per_turn = None if cpu is None else cpu / len(seconds) * 1e6
    return TurnTimes(len(seconds), statistics.median(seconds) * 1000, deciles[-1] * 1000, per_turn)


def websocket_turn(ws: object) -> list[str]:
    assert hasattr(ws, "send") and hasattr(ws, "recv")
    ws.send(json.dumps({"type": "response.create", **BODY}))
    frames = [ws.recv()]
    while json.loads(frames[-1])["type"] not in TERMINAL:
        frames.append(ws.recv())
    assert json.loads(frames[-1])["type"] == "response.completed", frames[-1]
    return [str(frame) for frame in frames]


def sse_turn(client: httpx.Client) -> None:
    with client.stream("POST", "/v1/responses", json={**BODY, "stream": True}) as answer:
        assert answer.status_code == 200
        for _ in answer.iter_bytes():
            pass


def prototype_turn(hop: object, count: int) -> None:
    assert hasattr(hop, "send") and hasattr(hop, "recv")
    hop.send("{}")
    for _ in range(count):
        hop.recv()


@contextmanager
def frames_served(frames: list[str]) -> Iterator[tuple[str, str]]:
    """A WebSocket server and an HTTP one, each answering every request with these events
    (frames, or one SSE body), in a thread of their own: the two upstream hops."""
    sse = b"".join(
        b"event: " + json.loads(frame)["type"].encode() + b"\ndata: " + frame.encode() + b"\n\n"
        for frame in frames
    )
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: %d\r\n\r\n"
        % len(sse)
    )

    async def websocket_turns(connection: ServerConnection) -> None:
        async for _ in connection:
            for frame in frames:
                await connection.send(frame)

    async def http_turns(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                request = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in request.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            await reader.readexactly(length)
            writer.write(head + sse)
            await writer.drain()
        writer.close()

    loop = asyncio.new_event_loop()
    ports: list[int] = []

    async def start() -> None:
        ws_server = await serve(websocket_turns, "127.0.0.1", 0)
        http_server = await asyncio.start_server(http_turns, "127.0.0.1", 0)
        ports.extend(server.sockets[0].getsockname()[1] for server in (ws_server, http_server))

    loop.run_until_complete(start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"ws://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}/responses"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        pending = asyncio.all_tasks(loop)  # the connections' handlers, still waiting
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
