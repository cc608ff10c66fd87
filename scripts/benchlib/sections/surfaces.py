"""Responses and Messages, native and translated to chat, beside chat (1 KB requests)."""

from __future__ import annotations

from ..figures import Measured, SurfaceRow, Surfaces, find
from ..fleet import Fleet
from ..loads import (
    ANTHROPIC_HEADERS,
    MESSAGES_BODY,
    RESPONSES_BODY,
    UNSTORED_RESPONSES_BODY,
    chat_body,
    direct,
    measure_rounds,
    through,
    warm,
)
from ..plan import Plan
from ..wrk import Load

CHAT, RESPONSES, MESSAGES = "chat (direct)", "responses (direct)", "messages (direct)"


def measure(fleet: Fleet, plan: Plan) -> Surfaces:
    chat = chat_body(1024)
    directs = {
        CHAT: direct(fleet.stub, "/chat/completions", chat),
        RESPONSES: direct(fleet.stub, "/responses", RESPONSES_BODY),
        MESSAGES: direct(fleet.stub, "/messages", MESSAGES_BODY),
    }
    # Each surface, and the upstream endpoint it calls (its added p50 is read against it).
    surfaces: dict[str, tuple[Load, str]] = {
        "chat": (through(fleet.gateway, "/chat/completions", chat), CHAT),
        "responses, native": (through(fleet.gateway, "/responses", RESPONSES_BODY), RESPONSES),
        "responses, native, store: false": (
            through(fleet.gateway, "/responses", UNSTORED_RESPONSES_BODY),
            RESPONSES,
        ),
        "responses, translated to chat": (
            through(fleet.translating, "/responses", RESPONSES_BODY),
            CHAT,
        ),
        "messages, native": (
            through(fleet.gateway, "/messages", MESSAGES_BODY, ANTHROPIC_HEADERS),
            MESSAGES,
        ),
        "messages, translated to chat": (
            through(fleet.translating, "/messages", MESSAGES_BODY, ANTHROPIC_HEADERS),
            CHAT,
        ),
    }
    loads = {name: load for name, (load, _) in surfaces.items()}
    warm(loads)
    runs = measure_rounds(loads, (1, 32), max(1, plan.rounds - 1), plan.seconds)
    # The stub answers at once: direct calls need only their latency at one connection.
    direct_runs: tuple[Measured, ...] = measure_rounds(directs, (1,), 1, plan.seconds)
    rows = tuple(
        SurfaceRow(name, upstream, find(runs, name, 1), find(runs, name, 32))
        for name, (_, upstream) in surfaces.items()
    )
    return Surfaces(rows, direct_runs)
