"""The newer features priced: each one's server CPU per request, the same 1 KB chat load with
it and without, rounds interleaved (more rounds than elsewhere: a cost is a difference of two
CPU figures). The ledger's row is the ledger section's (`ledger`), the WebSocket relay's the
WebSocket section's. A dashboard page open is the overview fetched as its own script does
(every 5 s, by a signed-in session) while the chat load runs: its price is what its fetches
cost, over the requests served meanwhile."""

from __future__ import annotations

from ..dashboard_open import page_open
from ..figures import Priced, PricedRow, find
from ..fleet import Fleet
from ..loads import GEMINI_BODY, GEMINI_HEADERS, chat_body, measure_rounds, through, warm
from ..plan import Plan
from ..wrk import Load

# Each feature: (what runs with it, its load), (what runs without it, its load).
Side = tuple[str, Load]


def pairs(fleet: Fleet) -> dict[str, tuple[Side, Side]]:
    chat = chat_body(1024)
    gemini = "/models/gpt-4o:generateContent"
    return {
        "Gemini translation": (
            (
                "generateContent, translated to chat",
                through(fleet.gateway, gemini, GEMINI_BODY, GEMINI_HEADERS),
            ),
            ("chat, the same turns", through(fleet.gateway, "/chat/completions", chat)),
        ),
        "a dashboard page open": (
            (
                "chat, the overview open in a browser (fetched every 5 s)",
                through(fleet.variants["all-on"], "/chat/completions", chat),
            ),
            ("chat, no page open", through(fleet.variants["all-on"], "/chat/completions", chat)),
        ),
        "budgets (Redis)": (
            (
                "a key with credits_per_day, counted in Redis",
                through(fleet.variants["budgets-redis"], "/chat/completions", chat),
            ),
            ("a key without limits", through(fleet.variants["all-on"], "/chat/completions", chat)),
        ),
    }


def measure(fleet: Fleet, plan: Plan) -> Priced:
    chosen = pairs(fleet)
    loads = {
        f"{feature} {side}": load
        for feature, (on, off) in chosen.items()
        for side, (_, load) in (("on", on), ("off", off))
    }
    warm(loads)
    rounds = plan.rounds * 2
    dashboard = fleet.variants["all-on"].url
    beside = {"a dashboard page open on": lambda: page_open(dashboard)}
    runs = measure_rounds(loads, (32,), rounds, plan.seconds, beside)
    rows = tuple(
        PricedRow(
            feature,
            on[0],
            off[0],
            find(runs, f"{feature} on", 32),
            find(runs, f"{feature} off", 32),
        )
        for feature, (on, off) in chosen.items()
    )
    return Priced(rounds, rows)
