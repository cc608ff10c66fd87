"""Healthy means warm: fresh gateways, each loaded the moment `/healthz` says healthy, as a
load balancer sends traffic to a replica that has just come up: its first second at 32
connections, then the same gateway once warm. Whatever the first requests pay (imports,
validators, vocabularies, pools, the catalogue) shows as the first second's p99 over the
warm one's. One more fresh gateway answers one request alone: the first request's time.

Each start is a `serve` process of its own on the fleet's stub, started while the other
servers are idle.
"""

from __future__ import annotations

import statistics
import time

import httpx

from ..figures import FirstSecond, WrkRun, median_run
from ..fleet import Fleet
from ..fresh import fresh
from ..loads import GATEWAY_HEADERS, chat_body, through
from ..plan import Plan
from ..servers import Server
from ..wrk import wrk

CONNECTIONS = 32


def measure(fleet: Fleet, plan: Plan) -> FirstSecond:
    starts = 2 if plan.quick else 3
    healthy: list[float] = []
    firsts: list[WrkRun] = []
    warms: list[WrkRun] = []
    for number in range(starts):
        with fresh(fleet, f"first-second-{number}") as (server, healthy_after):
            healthy.append(healthy_after)
            load = through(server, "/chat/completions", chat_body(1024))
            firsts.append(wrk(load, CONNECTIONS, 1))
            wrk(load, CONNECTIONS, plan.seconds)  # warming up, not measured
            warms.append(median_run([wrk(load, CONNECTIONS, 1) for _ in range(plan.rounds)]))
    with fresh(fleet, "first-request") as (server, healthy_after):
        healthy.append(healthy_after)
        first_request = first_request_ms(server)
    return FirstSecond(
        starts,
        statistics.median(healthy),
        first_request,
        median_run(firsts),
        median_run(warms),
    )


def first_request_ms(server: Server) -> float:
    with httpx.Client(timeout=60) as client:
        began = time.perf_counter()
        answer = client.post(
            server.url + "/v1/chat/completions", content=chat_body(1024), headers=GATEWAY_HEADERS
        )
        took = (time.perf_counter() - began) * 1000
    answer.raise_for_status()
    return took
