"""Tail latency at a fixed arrival rate (open loop), 1 KB chat, direct and through the gateway."""

from __future__ import annotations

from ..aio import run
from ..figures import Quantiles, Tails
from ..fleet import Fleet
from ..loads import GATEWAY_HEADERS, JSON, chat_body
from ..openloop import open_loop, percentile
from ..plan import Plan


def quantiles(latencies: list[float], errors: int) -> Quantiles:
    p50, p90, p99, p999 = (percentile(latencies, q) * 1000 for q in (0.5, 0.9, 0.99, 0.999))
    return Quantiles(p50, p90, p99, p999, errors)


def measure(fleet: Fleet, plan: Plan, gateway_rps: float) -> Tails:
    """At half `gateway_rps` (the gateway's closed-loop rate at 32 connections)."""
    rate = max(50.0, round(gateway_rps * 0.5, -1))
    seconds = 4.0 if plan.quick else 10.0
    body = chat_body(1024)
    stub_url = fleet.stub.url + "/chat/completions"
    gateway_url = fleet.gateway.url + "/v1/chat/completions"
    direct = run(lambda: open_loop(stub_url, JSON, body, rate, seconds))
    through = run(lambda: open_loop(gateway_url, GATEWAY_HEADERS, body, rate, seconds))
    return Tails(rate, seconds, quantiles(*direct), quantiles(*through))
