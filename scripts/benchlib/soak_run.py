"""The soak through one process: the emulator and one gateway (separate processes on
loopback), every surface's clients for the time given, then the ledger flushed and counted."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .scratch import subdirectory
from .servers import Server, ServerSpec, servers
from .soak_held import Held
from .soak_ledger import flushed, rows_in_sqlite
from .soak_load import Soak, Target, measured
from .soak_memory import Memory
from .soak_surfaces import api_keys

GATEWAY = (sys.executable, "-m", "copilot_gateway")
# 2 ms between chunks; and budgets no soak spends: at full speed, one spends the emulated
# account's 5-hour window (its plan's) in about a minute, then every answer is a 429.
EMULATOR = {"GATEWAY_EMULATOR_TOKEN_INTERVAL_MS": "2", "GATEWAY_EMULATOR_BUDGET_SCALE": "1000"}


def same_imports() -> dict[str, str]:
    """The soak's own import path for its gateways (the tests run the package from its
    source): unlike the A/B bench, a soak runs the gateway of its own interpreter."""
    path = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": path} if path else {}


def emulator() -> ServerSpec:
    return ServerSpec((*GATEWAY, "emulator"), {**EMULATOR, **same_imports()})


@dataclass
class Result:
    load: Soak
    memory: Memory
    rows: Counter[str]  # the ledger's, by key name
    unflushed: list[str]  # each gateway whose ledger did not flush, said
    held: Held


@contextmanager
def gateway_on_emulator(directory: Path) -> Iterator[tuple[Server, Path]]:
    """A gateway (one key per surface, its ledger in `directory`) on the emulator; it and
    its ledger's file."""
    ledger = directory / "ledger.sqlite3"
    with servers({"emulator": emulator()}) as upstream:
        settings = {
            "GITHUB_TOKEN": "gho_bench",
            "GATEWAY_GITHUB_API_URL": upstream["emulator"].url,
            "GATEWAY_API_KEYS": api_keys(),
            "GATEWAY_LEDGER_DB": str(ledger),
            "HOME": str(directory),
            "XDG_DATA_HOME": str(directory / "data"),
            **same_imports(),
        }
        with servers({"gateway": ServerSpec((*GATEWAY, "serve"), settings)}) as started:
            yield started["gateway"], ledger


async def one_process(per_surface: int, seconds: float, warmup: float) -> Result:
    with gateway_on_emulator(subdirectory("soak")) as (gateway, ledger):
        began = time.monotonic()
        load = Soak([Target(gateway.url)], began + warmup + seconds, began + warmup)
        memory = Memory(warmup)
        memory.started("gateway", gateway.pid)
        held = Held()
        await measured(load, memory, held, per_surface)
        unflushed = await flushed(load.targets)
        return Result(load, memory, rows_in_sqlite(str(ledger)), unflushed, held)
