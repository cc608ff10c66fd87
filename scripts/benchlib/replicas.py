"""The soak's two-replica run: two gateways, each in a directory of its own as on two hosts,
on one PostgreSQL and one Redis (started here, as the tests start theirs), their upstream the
emulator; clients on every surface spread over both as a load balancer would (each request,
and each Responses turn, on the next replica), and each replica restarted once mid-run
(SIGTERM, as an orchestrator stops a pod, then started again on its port).

A connection refused by a replica that is down, or closed by one stopping before it
answered, goes to the other (`benchlib.soak_load`); anything else is the request's outcome.
A continuation refused for its `previous_response_id` is a broken conversation. The ledger
is the replicas' shared table in PostgreSQL; each process's memory is measured from its own
warm-up (`benchlib.soak_memory`).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .aio import run
from .scratch import subdirectory
from .servers import child_env, free_port, servers, wait_until_up
from .soak_held import Held
from .soak_ledger import flushed, rows_in_postgres
from .soak_load import Soak, Target, broken, measured
from .soak_memory import Memory
from .soak_run import Result, emulator, same_imports
from .soak_surfaces import SURFACES, api_keys

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = (sys.executable, "-m", "copilot_gateway")
HEADING = "## Two replicas, each restarted once"
RESTARTS_AT = (0.25, 0.5)  # of the run: each replica's last life long enough to measure


@dataclass
class Replica:
    name: str
    port: int
    env: dict[str, str]
    home: Path
    memory: Memory
    target: Target = field(init=False)
    child: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)  # seconds each was out

    def __post_init__(self) -> None:
        self.target = Target(f"http://127.0.0.1:{self.port}")

    def start(self) -> None:
        command = [*GATEWAY, "serve", "--port", str(self.port)]
        self.child = subprocess.Popen(
            command,
            env=child_env(self.env),
            cwd=self.home,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(self.port, self.child, self.name, command)
        self.target.answered = 0  # what this process answers: its metrics count from 0
        self.memory.started(self.name, self.child.pid)

    def stop(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)
            self.child.wait(timeout=120)

    def restart(self) -> None:
        began = time.monotonic()
        self.stop()
        self.start()
        self.restarts.append(time.monotonic() - began)


async def restarting(replicas: Sequence[Replica], began: float, seconds: float) -> list[float]:
    """Each replica restarted once, at RESTARTS_AT of the run: when, in seconds from its start."""
    restarted_at = []
    for replica, share in zip(replicas, RESTARTS_AT, strict=True):
        await asyncio.sleep(began + seconds * share - time.monotonic())
        restarted_at.append(time.monotonic() - began)
        await asyncio.to_thread(replica.restart)
    return restarted_at


async def soaked(
    replicas: Sequence[Replica],
    per_surface: int,
    seconds: float,
    warmup: float,
    memory: Memory,
    held: Held,
) -> tuple[Soak, list[float], list[str]]:
    began = time.monotonic()
    targets = [replica.target for replica in replicas]
    load = Soak(targets, began + warmup + seconds, began + warmup)
    restarts = restarting(replicas, began, warmup + seconds)
    restarted_at: list[float] = []

    async def restarted() -> None:
        restarted_at.extend(await restarts)

    await measured(load, memory, held, per_surface, restarted())
    return load, restarted_at, await flushed(targets)


def soak_replicas(per_surface: int, seconds: float, warmup: float) -> tuple[Result, list[str]]:
    """The run's figures, and the lines saying how it was set up."""
    sys.path.insert(0, str(ROOT / "tests"))  # the tests' own PostgreSQL and Redis helpers
    from postgres_server import running_postgres
    from redis_server import running_redis

    directory = subdirectory("soak-replicas")
    memory, held = Memory(warmup), Held()
    with (
        running_postgres() as postgres,
        running_redis(directory) as redis,
        servers({"emulator": emulator()}) as upstream,
    ):
        database = postgres.new_database("soak")
        shared = {
            "GITHUB_TOKEN": "gho_soak_replicas",
            "GATEWAY_GITHUB_API_URL": upstream["emulator"].url,
            "GATEWAY_API_KEYS": api_keys(),
            "GATEWAY_DATABASE_URL": database,
            "GATEWAY_REDIS_URL": redis.url,
            **same_imports(),
        }
        replicas = []
        for number in range(2):
            home = directory / f"host-{number}"
            home.mkdir(exist_ok=True)
            own = {**shared, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
            replicas.append(Replica(f"replica {number + 1}", free_port(), own, home, memory))
        try:
            for replica in replicas:
                replica.start()
            load, restarted_at, unflushed = run(
                lambda: soaked(replicas, per_surface, seconds, warmup, memory, held)
            )
            rows = rows_in_postgres(database)
        finally:
            for replica in replicas:
                replica.stop()
    result = Result(load, memory, rows, unflushed, held)
    return result, setup(per_surface, seconds, warmup, load, restarted_at, replicas)


def setup(
    per_surface: int,
    seconds: float,
    warmup: float,
    load: Soak,
    restarted_at: Sequence[float],
    replicas: Sequence[Replica],
) -> list[str]:
    restarts = ", ".join(
        f"{replica.name} at {at:.0f} s (out {replica.restarts[0]:.1f} s)"
        for at, replica in zip(restarted_at, replicas, strict=True)
    )
    routing = load.routing
    return [
        f"- two `serve` processes (own directories) on one PostgreSQL and one Redis; "
        f"{per_surface} clients on each of the {len(SURFACES)} surfaces, for {warmup:.0f} s of "
        f"warm-up then {seconds / 60:g} min; each request on the next replica, Responses "
        "conversations (SSE: every turn; WebSocket: a connection per half) continued on the "
        "other replica",
        f"- restarts (SIGTERM, then started again on its port): {restarts}",
        f"- sent to the other replica, as a load balancer does: {routing['refused']} refused, "
        f"{routing['closed before an answer']} closed before an answer, "
        f"{routing['WebSocket closed by a stopping gateway']} WebSockets closed by a stopping "
        f"replica ({routing['turns cut by a stopping gateway']} of their turns cut, sent "
        f"again); {routing['continued on the other replica']:,} turns continued on the other "
        f"replica, {broken(load)} conversations broken",
        "- requests and ledger rows count the warm-up too; latencies from its end on; each "
        "process's memory (VmRSS) from its own warm-up; the ledger is the shared table",
    ]


def with_section(earlier: str, section: list[str]) -> str:
    """The soak file with this section in place of its earlier one (the rest kept)."""
    return earlier.split(HEADING)[0].rstrip("\n") + "\n\n" + "\n".join(section)
