"""The soak's two-replica run: two gateways, each in a directory of its own as on two hosts,
on one PostgreSQL and one Redis (started here, as the tests start theirs), their upstream the
emulator; clients spread over both as a load balancer would, and each replica restarted once
mid-run (SIGTERM, as an orchestrator stops a pod, then started again on its port).

Half the clients hold Responses conversations (`previous_response_id`, each turn on the next
replica, streamed every other turn), half stream chat completions. A connection refused by a
replica that is down, or closed by one stopping before it answered, goes to the other (what
a load balancer does); anything else is the
request's outcome: completed, ended with its surface's error event, or lost (a cut stream, an
unexpected status). A continuation refused for its `previous_response_id` is a broken
conversation.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from .loads import GATEWAY_HEADERS, chat_body
from .scratch import subdirectory
from .servers import KEY, ServerSpec, child_env, free_port, servers, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = (sys.executable, "-m", "copilot_gateway")
HEADING = "## Two replicas, each restarted once"


@dataclass
class Replica:
    port: int
    env: dict[str, str]
    home: Path
    child: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)  # seconds each was out

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [*GATEWAY, "serve", "--port", str(self.port)]
        self.child = subprocess.Popen(
            command,
            env=child_env(self.env),
            cwd=self.home,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(self.port, self.child, "gateway", command)

    def stop(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)
            self.child.wait(timeout=120)

    def restart(self) -> None:
        began = time.monotonic()
        self.stop()
        self.start()
        self.restarts.append(time.monotonic() - began)


async def attempt(
    session: aiohttp.ClientSession,
    urls: Sequence[str],
    turn: int,
    path: str,
    body: dict,
    tally: Counter,
) -> tuple[str, bytes]:
    """The request on the turn's replica, or the next one while a replica refuses the
    connection or closes it before answering (a stopping replica's idle keep-alive
    connection): its outcome's kind and its payload."""
    for offset in range(len(urls) * 20):  # both down at once: a restart takes seconds
        url = urls[(turn + offset) % len(urls)]
        try:
            async with session.post(url + path, json=body, headers=GATEWAY_HEADERS) as answer:
                try:
                    payload = await answer.read()
                except aiohttp.ClientError:  # cut after its answer began
                    return "lost", b""
                return kind_of(answer.status, payload, body.get("stream", False)), payload
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as problem:
            refused = isinstance(problem, aiohttp.ClientConnectorError)
            tally["refused" if refused else "closed before an answer"] += 1
            await asyncio.sleep(0.05 if offset % len(urls) == len(urls) - 1 else 0)
    return "lost", b""


def kind_of(status: int, payload: bytes, stream: bool) -> str:
    if status == 404 and b"previous_response_id" in payload:
        return "broken"
    if status != 200:
        return "lost"
    if not stream:
        return "completed"
    if payload.endswith(b"data: [DONE]\n\n") or b"event: response.completed" in payload:
        return "completed"
    if b"event: error" in payload or b'"error"' in payload.rsplit(b"\n\ndata:", 1)[-1]:
        return "error event"
    return "lost"


def response_id(payload: bytes, stream: bool) -> str:
    if not stream:
        return str(json.loads(payload)["id"])
    for line in payload.splitlines():
        if line.startswith(b"data: ") and b'"response.completed"' in line:
            return str(json.loads(line[6:])["response"]["id"])
    raise ValueError("no response.completed event")


async def conversations(
    session: aiohttp.ClientSession, urls: Sequence[str], first: int, until: float, tally: Counter
) -> None:
    previous, turn = None, first
    while time.monotonic() < until:
        stream = turn % 2 == 1
        body = {"model": "gpt-5-mini", "input": f"Turn {turn}", "stream": stream}
        if previous:
            body["previous_response_id"] = previous
        kind, payload = await attempt(session, urls, turn, "/v1/responses", body, tally)
        tally[kind] += 1
        if kind == "completed":
            tally["continued on the other replica"] += previous is not None
            previous = response_id(payload, stream)
        else:
            previous = None  # a new conversation after a failed turn
        turn += 1


async def chats(
    session: aiohttp.ClientSession, urls: Sequence[str], first: int, until: float, tally: Counter
) -> None:
    body = json.loads(chat_body(2048, stream=True))
    turn = first
    while time.monotonic() < until:
        kind, _ = await attempt(session, urls, turn, "/v1/chat/completions", body, tally)
        tally[kind] += 1
        turn += 1


async def load(
    replicas: Sequence[Replica], clients: int, seconds: float, tally: Counter
) -> list[float]:
    """The clients for `seconds`, each replica restarted once (at a third and at two
    thirds of the run); when each restart began, in seconds from the start."""
    urls = [replica.url for replica in replicas]
    began = time.monotonic()
    until = began + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        tasks = [
            asyncio.create_task(
                (conversations if n % 2 == 0 else chats)(session, urls, n, until, tally)
            )
            for n in range(clients)
        ]
        restarted_at = []
        for number, replica in enumerate(replicas):
            await asyncio.sleep(began + seconds * (number + 1) / 3 - time.monotonic())
            restarted_at.append(time.monotonic() - began)
            await asyncio.to_thread(replica.restart)
        await asyncio.gather(*tasks)
    return restarted_at


def soak_replicas(clients: int, seconds: float) -> tuple[list[str], bool]:
    """The run's section of `benchmarks/soak.md`, and whether it lost a request or broke a
    conversation."""
    sys.path.insert(0, str(ROOT / "tests"))  # the tests' own PostgreSQL and Redis helpers
    from postgres_server import running_postgres
    from redis_server import running_redis

    directory = subdirectory("soak-replicas")
    pacing = {"GATEWAY_EMULATOR_TOKEN_INTERVAL_MS": "2"}
    tally: Counter = Counter()
    with (
        running_postgres() as postgres,
        running_redis(directory) as redis,
        servers({"emulator": ServerSpec((*GATEWAY, "emulator"), pacing)}) as upstream,
    ):
        shared = {
            "GITHUB_TOKEN": "gho_soak_replicas",
            "GATEWAY_GITHUB_API_URL": upstream["emulator"].url,
            "GATEWAY_API_KEYS": KEY,
            "GATEWAY_DATABASE_URL": postgres.new_database("soak"),
            "GATEWAY_REDIS_URL": redis.url,
        }
        replicas = []
        for number in range(2):
            home = directory / f"host-{number}"
            home.mkdir(exist_ok=True)
            own = {**shared, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
            replicas.append(Replica(free_port(), own, home))
        try:
            for replica in replicas:
                replica.start()
            restarted_at = asyncio.run(load(replicas, clients, seconds, tally))
        finally:
            for replica in replicas:
                replica.stop()
    failed = bool(tally["lost"] or tally["broken"])
    return report(clients, seconds, tally, restarted_at, replicas), failed


def report(
    clients: int,
    seconds: float,
    tally: Counter,
    restarted_at: Sequence[float],
    replicas: Sequence[Replica],
) -> list[str]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    restarts = ", ".join(
        f"replica {n + 1} at {at:.0f} s (out {replica.restarts[0]:.1f} s)"
        for n, (at, replica) in enumerate(zip(restarted_at, replicas, strict=True))
    )
    return [
        HEADING,
        "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; commit {commit}",
        f"- two `serve` processes (own directories) on one PostgreSQL and one Redis; {clients} "
        f"clients for {seconds / 60:g} min, half in Responses conversations whose turns "
        "alternate replicas (every other turn streamed), half streaming 2 KB chats; a "
        "connection refused, or closed before an answer, goes to the other replica, as a "
        "load balancer does",
        f"- restarts (SIGTERM, then started again on its port): {restarts}",
        "",
        "| completed | ended with an error event | lost | conversations broken "
        "| turns continued on the other replica | sent to the other replica: refused "
        "| closed before an answer |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| {tally['completed']:,} | {tally['error event']} | {tally['lost']} "
        f"| {tally['broken']} | {tally['continued on the other replica']:,} "
        f"| {tally['refused']} | {tally['closed before an answer']} |",
        "",
    ]


def with_section(earlier: str, section: list[str]) -> str:
    """The soak file with this section in place of its earlier one (the rest kept)."""
    return earlier.split(HEADING)[0].rstrip("\n") + "\n\n" + "\n".join(section)
