"""Where the memory goes: a gateway's start step by step in a fresh interpreter
(`benchlib.memory_steps`), and a fresh `serve` process's RSS, healthy and idle, after one
request on every surface the bench's stub serves (chat plain and streamed, embeddings,
Responses, Messages, Gemini), and after load on all of them at once."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import httpx

from .. import memory_steps
from ..figures import Memory, MemoryStep
from ..fleet import Fleet
from ..fresh import fresh
from ..loads import (
    ANTHROPIC_HEADERS,
    EMBEDDINGS_BODY,
    GATEWAY_HEADERS,
    GEMINI_BODY,
    GEMINI_HEADERS,
    MESSAGES_BODY,
    RESPONSES_BODY,
    chat_body,
    through,
)
from ..plan import Plan
from ..procs import rss_kib
from ..servers import Server
from ..wrk import wrk


def surfaces() -> dict[str, tuple[str, bytes, Mapping[str, str]]]:
    """Each surface's request: its path under /v1 (Gemini's under /v1beta), body, headers."""
    gemini = "/models/gpt-4o:generateContent"
    return {
        "chat": ("/chat/completions", chat_body(1024), GATEWAY_HEADERS),
        "chat, streamed": ("/chat/completions", chat_body(1024, stream=True), GATEWAY_HEADERS),
        "embeddings": ("/embeddings", EMBEDDINGS_BODY, GATEWAY_HEADERS),
        "responses": ("/responses", RESPONSES_BODY, GATEWAY_HEADERS),
        "messages": ("/messages", MESSAGES_BODY, ANTHROPIC_HEADERS),
        "gemini": (gemini, GEMINI_BODY, GEMINI_HEADERS),
    }


def measure(fleet: Fleet, plan: Plan) -> Memory:
    steps = tuple(MemoryStep(name, mib) for name, mib in memory_steps.steps(sys.executable))
    seconds = 10.0 if plan.quick else 60.0
    with fresh(fleet, "memory") as (server, _):
        idle = rss_kib(server.pid) / 1024
        each_once(server)
        every_surface = rss_kib(server.pid) / 1024
        loads = [
            through(server, path, body, headers) for path, body, headers in surfaces().values()
        ]
        with ThreadPoolExecutor(len(loads)) as pool:  # every surface loaded at once
            list(pool.map(lambda load: wrk(load, 4, seconds), loads))
        loaded = rss_kib(server.pid) / 1024
    return Memory(steps, idle, every_surface, loaded, seconds)


def each_once(server: Server) -> None:
    with httpx.Client(timeout=60) as client:
        for name, (path, body, headers) in surfaces().items():
            answer = client.post(server.url + "/v1" + path, content=body, headers=dict(headers))
            if answer.status_code != 200:
                raise RuntimeError(f"memory: {name} answered {answer.status_code}: {answer.text}")
