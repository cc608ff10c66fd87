"""The soak's clients: each on one surface (see `soak_surfaces`), one request after another
until the run ends, through one gateway or spread over several as a load balancer would.

With several gateways, a request goes to the turn's gateway; a connection refused by one
that is down, or closed by one stopping before it answered, goes to the next (what a load
balancer does), and so does a WebSocket turn whose connection a stopping gateway closed.
With one gateway those are failures like any other. Every answer is tallied per surface by
its outcome, and what the gateway answered (its ledger owes it a row) counted per surface.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .soak_held import Held
from .soak_memory import Memory
from .soak_surfaces import (
    BROKEN,
    COMPLETED,
    CONVERSATION_TURNS,
    RESPONSES_SOCKET,
    RESPONSES_SSE,
    SURFACES,
    Json,
    headers,
    outcome,
    response_id,
    socket_outcome,
    turn_body,
)

REQUEST_SECONDS = 120  # an answer slower than this is a failure ("timed out"), not a wait
TRIES_PER_TARGET = 20  # every gateway down at once: a restart takes seconds


@dataclass
class Target:
    """One gateway the clients reach, and the requests it answered since it (re)started."""

    url: str
    answered: int = 0


@dataclass
class Soak:
    targets: Sequence[Target]
    until: float  # monotonic: no request starts after it
    measured_from: float  # monotonic: latencies are of requests begun after the warm-up
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (surface, kind)
    answered: Counter[str] = field(default_factory=Counter)  # per surface: a ledger row due
    latencies: dict[str, list[float]] = field(default_factory=dict)  # seconds, completed
    routing: Counter[str] = field(default_factory=Counter)  # sent on to another gateway
    examples: dict[tuple[str, str], str] = field(default_factory=dict)  # each error's first
    tallied: asyncio.Event = field(default_factory=asyncio.Event)  # set at each outcome

    @property
    def rerouting(self) -> bool:
        return len(self.targets) > 1

    def target(self, turn: int) -> Target:
        return self.targets[turn % len(self.targets)]

    def running(self) -> bool:
        return time.monotonic() < self.until

    def tally(self, surface: str, kind: str, began: float, payload: bytes = b"") -> None:
        self.outcomes[surface, kind] += 1
        self.tallied.set()
        if kind != COMPLETED:
            self.examples.setdefault((surface, kind), payload[-300:].decode(errors="replace"))
        if kind == COMPLETED and began >= self.measured_from:
            self.latencies.setdefault(surface, []).append(time.monotonic() - began)

    def answered_by(self, target: Target, surface: str) -> None:
        target.answered += 1
        self.answered[surface] += 1

    def errors(self) -> Counter[tuple[str, str]]:
        return Counter({key: n for key, n in self.outcomes.items() if key[1] != COMPLETED})

    async def passed_on(self, why: str, offset: int) -> None:
        """A gateway that could not take the request: the next one gets it (a pause after
        every gateway refused in turn)."""
        self.routing[why] += 1
        await asyncio.sleep(0.05 if offset % len(self.targets) == len(self.targets) - 1 else 0)


async def post(
    session: aiohttp.ClientSession, soak: Soak, number: int, turn: int, body: Json
) -> tuple[str, bytes]:
    """One request of the surface at `number`: its outcome's kind and its payload."""
    surface = SURFACES[number]
    tries = len(soak.targets) * TRIES_PER_TARGET if soak.rerouting else 1
    for offset in range(tries):
        target = soak.target(turn + offset)
        began = time.monotonic()
        try:
            async with session.post(
                target.url + surface.path, json=body, headers=headers(number)
            ) as answer:
                soak.answered_by(target, surface.name)
                try:
                    payload = await answer.read()
                except aiohttp.ClientError:
                    kind, payload = "cut after its answer began", b""
                else:
                    kind = outcome(surface, answer.status, payload)
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as problem:
            refused = isinstance(problem, aiohttp.ClientConnectorError)
            why = "refused" if refused else "closed before an answer"
            if soak.rerouting:
                await soak.passed_on(why, offset)
                continue
            kind, payload = why, b""
        except TimeoutError:
            kind, payload = "timed out", b""
        soak.tally(surface.name, kind, began, payload)
        return kind, payload
    soak.tally(surface.name, "no gateway answered", time.monotonic())
    return "no gateway answered", b""


async def requests(session: aiohttp.ClientSession, soak: Soak, number: int, first: int) -> None:
    """The same request, again and again (on the next gateway each time)."""
    body, turn = SURFACES[number].body, first
    while soak.running():
        await post(session, soak, number, turn, body)
        turn += 1


async def conversations(
    session: aiohttp.ClientSession, soak: Soak, number: int, first: int
) -> None:
    """Responses conversations over SSE: each turn continues the last (on the next gateway),
    a new conversation every CONVERSATION_TURNS turns or after a failed one."""
    surface, previous, turn = SURFACES[number], None, first
    while soak.running():
        kind, payload = await post(session, soak, number, turn, turn_body(surface, turn, previous))
        if kind == COMPLETED and (turn - first) % CONVERSATION_TURNS != CONVERSATION_TURNS - 1:
            if soak.rerouting and previous:
                soak.routing["continued on the other replica"] += 1
            previous = response_id(payload, stream=True)
        else:
            previous = None
        turn += 1


async def socket_conversations(
    session: aiohttp.ClientSession, soak: Soak, number: int, first: int
) -> None:
    """Responses conversations over WebSocket: a connection per conversation, or with
    several gateways one per half of it, the second on the next gateway continuing it."""
    legs = len(soak.targets)
    turn = first
    while soak.running():
        previous: str | None = None
        for leg in range(legs):
            previous = await socket_leg(
                session, soak, number, turn, previous, CONVERSATION_TURNS // legs
            )
            turn += CONVERSATION_TURNS // legs
            if previous is None or not soak.running():
                break
            if leg < legs - 1:  # the next leg continues it on the next gateway
                soak.routing["continued on the other replica"] += 1


async def socket_leg(
    session: aiohttp.ClientSession,
    soak: Soak,
    number: int,
    turn: int,
    previous: str | None,
    turns: int,
) -> str | None:
    """Up to `turns` turns on one connection (reconnecting to the next gateway when a
    stopping one closed it, with several); the last response's id, None after a failure."""
    surface = SURFACES[number]
    done = 0
    for offset in range(len(soak.targets) * TRIES_PER_TARGET):
        target = soak.target(turn + offset)
        url = target.url.replace("http://", "ws://") + surface.path
        try:
            async with session.ws_connect(url, headers=headers(number)) as socket:
                while done < turns and soak.running():
                    kind, previous = await socket_turn(
                        socket, soak, target, number, turn + done, previous
                    )
                    if kind == "closed mid-turn" and soak.rerouting:
                        break  # a stopping gateway closed it: the turn again, elsewhere
                    if kind != COMPLETED:
                        return None
                    done += 1
                else:
                    return previous
            await soak.passed_on("WebSocket closed by a stopping gateway", offset)
        except aiohttp.ClientConnectorError:
            if not soak.rerouting:
                soak.tally(surface.name, "refused", time.monotonic())
                return None
            await soak.passed_on("refused", offset)
        except aiohttp.WSServerHandshakeError as problem:
            if not (soak.rerouting and problem.status == 503):
                soak.tally(surface.name, f"handshake refused ({problem.status})", time.monotonic())
                return None
            await soak.passed_on("refused", offset)  # a stopping gateway's answer
        except aiohttp.ClientError as problem:
            soak.tally(
                surface.name, f"connection failed ({type(problem).__name__})", time.monotonic()
            )
            return None
    soak.tally(surface.name, "no gateway answered", time.monotonic())
    return None


async def socket_turn(
    socket: aiohttp.ClientWebSocketResponse,
    soak: Soak,
    target: Target,
    number: int,
    turn: int,
    previous: str | None,
) -> tuple[str, str | None]:
    """One `response.create` and its events to the last: its outcome and the response's id."""
    surface = SURFACES[number]
    began = time.monotonic()
    create = {"type": "response.create", **turn_body(surface, turn, previous)}
    try:
        await socket.send_str(json.dumps(create))
        async with asyncio.timeout(REQUEST_SECONDS):
            async for message in socket:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                event = json.loads(message.data)
                kind = socket_outcome(event)
                if kind is None:
                    continue
                soak.answered_by(target, surface.name)
                soak.tally(surface.name, kind, began, message.data.encode())
                return kind, str(event["response"]["id"]) if kind == COMPLETED else None
    except TimeoutError:
        soak.tally(surface.name, "timed out", began)
        return "timed out", None
    except (ConnectionResetError, aiohttp.ClientConnectionError):
        pass  # closed as it was sent: as closed mid-turn
    if soak.rerouting:
        soak.routing["turns cut by a stopping gateway"] += 1
    else:
        soak.tally(surface.name, "closed mid-turn", began)
    return "closed mid-turn", None


CLIENTS = {RESPONSES_SSE: conversations, RESPONSES_SOCKET: socket_conversations}


async def load(soak: Soak, per_surface: int) -> None:
    """`per_surface` clients on every surface until the run ends."""
    timeout = aiohttp.ClientTimeout(total=REQUEST_SECONDS)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(
            *(
                CLIENTS.get(surface.name, requests)(session, soak, number, n * 1000 + number)
                for number, surface in enumerate(SURFACES)
                for n in range(per_surface)
            )
        )


def broken(soak: Soak) -> int:
    return sum(n for (_, kind), n in soak.outcomes.items() if kind == BROKEN)


async def measured(
    soak: Soak,
    memory: Memory,
    held: Held,
    per_surface: int,
    *alongside: Coroutine[Any, Any, object],
) -> None:
    """The load (and whatever runs `alongside` it, e.g. restarts), the memory and what the
    gateways hold sampled meanwhile, the memory's last samples taken once the last request
    has ended."""
    urls = [target.url for target in soak.targets]
    watching = [asyncio.create_task(memory.watch()), asyncio.create_task(held.watch(urls))]
    try:
        await asyncio.gather(load(soak, per_surface), *alongside)
    finally:
        for watch in watching:
            watch.cancel()
    memory.end()
