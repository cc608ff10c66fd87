"""A soak in seconds, for real: the emulator and a gateway as separate processes, a client
on every surface (HTTP, SSE and WebSocket), first through the gateway alone, then spread
over it and a gateway that is down (each refused request or WebSocket sent on to the live
one, as in the two-replica run); then the ledger flushed, per the gateway's own metrics, and
its rows counted per surface."""

from __future__ import annotations

import time
from pathlib import Path

from benchlib.aio import run
from benchlib.servers import free_port
from benchlib.soak_held import Held
from benchlib.soak_ledger import flushed, rows_in_sqlite
from benchlib.soak_load import COMPLETED, Soak, Target, measured
from benchlib.soak_memory import Memory
from benchlib.soak_run import gateway_on_emulator
from benchlib.soak_surfaces import SURFACES, key_name

LONG = 600.0  # a bound only: each run ends once every surface has completed its requests
EACH = 2


async def until_every_surface_completed(soak: Soak) -> None:
    while any(soak.outcomes[surface.name, COMPLETED] < EACH for surface in SURFACES):
        soak.tallied.clear()
        await soak.tallied.wait()
    soak.until = time.monotonic()  # no client starts another request


def new_soak(targets: list[Target]) -> Soak:
    now = time.monotonic()
    return Soak(targets, until=now + LONG, measured_from=now)


def test_every_surface_is_served_with_no_error_and_a_ledger_row_per_request(
    tmp_path: Path,
) -> None:
    async def soaked() -> tuple[Soak, Soak, Memory, Held, list[str], Path]:
        with gateway_on_emulator(tmp_path) as (gateway, ledger):
            live, down = Target(gateway.url), Target(f"http://127.0.0.1:{free_port()}")
            memory = Memory(warmup=0)
            memory.started("gateway", gateway.pid)
            held = Held(every=0.05)  # often: this run lasts seconds
            alone = new_soak([live])
            await measured(alone, memory, held, 1, until_every_surface_completed(alone))
            spread = new_soak([live, down])
            await measured(spread, memory, held, 1, until_every_surface_completed(spread))
            return alone, spread, memory, held, await flushed([live]), ledger

    alone, spread, memory, held, unflushed, ledger = run(soaked)
    assert not alone.errors() and not spread.errors(), (alone.examples, spread.examples)
    assert unflushed == []
    rows = rows_in_sqlite(str(ledger))
    for number, surface in enumerate(SURFACES):
        served = alone.answered[surface.name] + spread.answered[surface.name]
        assert rows[key_name(number)] == served >= 2 * EACH, surface.name
    assert spread.routing["refused"] > 0 and not alone.routing
    [(_, _, life)] = memory.measured()
    assert life.samples[0] > 0 and len(life.samples) >= 2
    # Its gauges were read while it served (the gateway that is down never answered them).
    [live] = alone.targets
    assert list(held.most) == [live.url]
    assert held.most[live.url]["gateway_connections_open"] >= 1
    assert "gateway_ledger_rows_buffered" in held.most[live.url]
