"""A gateway started for one section alone, on the fleet's stub, handed over once `/healthz`
says healthy (as a load balancer would send it traffic)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from .fleet import Fleet
from .servers import Server, gateway, servers


@contextmanager
def fresh(fleet: Fleet, name: str) -> Iterator[tuple[Server, float]]:
    """A new gateway on the fleet's stub once `/healthz` says healthy, and how many seconds
    after its start that was."""
    began = time.monotonic()
    with servers({name: gateway(fleet.stub.url, name)}) as started:
        wait_healthy(started[name])
        yield started[name], time.monotonic() - began


def wait_healthy(server: Server) -> None:
    """Until `/healthz` answers 200 (the port is open already: `servers` waited for it)."""
    with httpx.Client(timeout=10) as client:
        while client.get(server.url + "/healthz").status_code != 200:
            time.sleep(0.01)  # polling a server that says it is not ready yet
