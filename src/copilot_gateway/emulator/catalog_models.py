"""The models of the emulator's catalogue: Copilot's late-2026 ids (shared/reference
copilot-2026.md §1.3), priced from GitHub's docs table (§1.4), offered to the plans of the
docs' plans table (§1.4; `max`, the catch-all account's plan, is offered every model).

Where the sources leave a value open (limits, legacy multipliers, the plans of models newer
than the plans table) the value here is a plausible one, marked UNCERTAIN in the reference;
tests rely on the shape, not on those numbers. `ONE_MILLION` holds the larger limits a model
shows only to a request whose `X-GitHub-Api-Version` is 2026-06-01 or later.
"""

from __future__ import annotations

from typing import Any

from .catalog_shapes import (
    BUSINESS,
    ENTERPRISE,
    EVERY_PLAN,
    FREE,
    MAX,
    PAID,
    PRO,
    PRO_PLUS,
    STUDENT,
    Limits,
    Price,
    Pricing,
    chat,
    completion,
    disabled,
    embeddings,
)

AZURE, OPENAI, ANTHROPIC, GOOGLE, XAI, MICROSOFT = (
    "Azure OpenAI",
    "OpenAI",
    "Anthropic",
    "Google",
    "xAI",
    "Microsoft",
)
CHAT_AND_RESPONSES = ["/chat/completions", "/responses"]
RESPONSES = ["/responses"]
RESPONSES_WS = ["/responses", "ws:/responses"]
CLAUDE = ["/chat/completions", "/v1/messages"]
CHAT_ONLY = ["/chat/completions"]
EFFORTS = ["low", "medium", "high"]
EFFORTS_XHIGH = [*EFFORTS, "xhigh"]

PRO_PLUS_UP = [PRO_PLUS, BUSINESS, ENTERPRISE, MAX]
BUSINESS_UP = [BUSINESS, ENTERPRISE, MAX]
WITH_STUDENT = [STUDENT, *PAID]

GPT5_LIMITS: Limits = (400000, 272000, 128000)
GPT5_MILLION: Limits = (1050000, 922000, 128000)
CLAUDE_LIMITS: Limits = (200000, 168000, 64000)
CLAUDE_MILLION: Limits = (1000000, 936000, 64000)

SONNET = Pricing(Price(3, 0.3, 15, 3.75), shape="flat")
OPUS = Pricing(Price(5, 0.5, 25, 6.25), shape="flat")
OPUS_FAST = Pricing(Price(10, 1, 50, 12.5), shape="flat")
GPT_52 = Pricing(Price(1.75, 0.175, 14))

ONE_MILLION: dict[str, Limits] = {}


def _million(model: dict[str, Any], limits: Limits) -> dict[str, Any]:
    ONE_MILLION[model["id"]] = limits
    return model


def _gpt5(model_id: str, name: str, pricing: Pricing, multiplier: float, **kw: Any) -> dict:
    """A GPT-5.4-or-later model: Responses only, over HTTP and WebSocket, 1M with 2026-06-01."""
    kw.setdefault("plans", PAID)
    model = chat(
        model_id,
        name,
        OPENAI,
        limits=GPT5_LIMITS,
        pricing=pricing,
        multiplier=multiplier,
        category="powerful",
        endpoints=RESPONSES_WS,
        efforts=EFFORTS_XHIGH,
        **kw,
    )
    return _million(model, GPT5_MILLION)


def _claude(model_id: str, name: str, pricing: Pricing, multiplier: float, **kw: Any) -> dict:
    """A Claude model: chat and native Messages, with thinking."""
    kw.setdefault("limits", CLAUDE_LIMITS)
    kw.setdefault("category", "powerful")
    return chat(
        model_id,
        name,
        ANTHROPIC,
        pricing=pricing,
        multiplier=multiplier,
        endpoints=CLAUDE,
        thinking=True,
        **kw,
    )


MODELS: list[dict[str, Any]] = [
    # Free models (multiplier 0, nothing billed).
    chat("gpt-4.1", "GPT-4.1", AZURE),
    chat("gpt-4o", "GPT-4o", AZURE),
    chat("gpt-4o", "GPT-4o", AZURE),  # Copilot lists some ids twice.
    chat("gpt-4o-mini", "GPT-4o mini", AZURE, vision=False, category="lightweight"),
    chat(
        "gpt-5-mini",
        "GPT-5 mini",
        AZURE,
        limits=(264000, 128000, 64000),
        category="lightweight",
        endpoints=CHAT_AND_RESPONSES,
        efforts=EFFORTS,
    ),
    chat(
        "raptor-mini",
        "Raptor mini",
        OPENAI,
        limits=(264000, 128000, 64000),
        category="lightweight",
        endpoints=CHAT_AND_RESPONSES,
        efforts=EFFORTS,
        plans=[FREE, STUDENT, PRO, PRO_PLUS, MAX],
        preview=True,
    ),
    # OpenAI, billed.
    chat(
        "goldeneye",
        "Goldeneye",
        OPENAI,
        limits=GPT5_LIMITS,
        pricing=Pricing(Price(1.25, 0.125, 10)),
        multiplier=1,
        endpoints=RESPONSES,
        efforts=EFFORTS,
        plans=[FREE, MAX],
        preview=True,
    ),
    chat(
        "gpt-5.2",
        "GPT-5.2",
        OPENAI,
        limits=GPT5_LIMITS,
        pricing=GPT_52,
        multiplier=1,
        endpoints=CHAT_AND_RESPONSES,
        efforts=EFFORTS,
        plans=WITH_STUDENT,
    ),
    chat(
        "gpt-5.2-codex",
        "GPT-5.2-Codex",
        OPENAI,
        limits=GPT5_LIMITS,
        pricing=GPT_52,
        multiplier=1,
        endpoints=RESPONSES,
        efforts=EFFORTS,
        plans=WITH_STUDENT,
    ),
    chat(
        "gpt-5.3-codex",
        "GPT-5.3-Codex",
        OPENAI,
        limits=GPT5_LIMITS,
        pricing=Pricing(Price(1.75, 0.175, 14)),
        multiplier=1,
        category="powerful",
        endpoints=RESPONSES,
        efforts=EFFORTS_XHIGH,
        plans=PAID,
    ),
    _gpt5(
        "gpt-5.4",
        "GPT-5.4",
        Pricing(Price(2.5, 0.25, 15), Price(5, 0.5, 22.5), 272000),
        1,
    ),
    chat(
        "gpt-5.4-mini",
        "GPT-5.4 mini",
        OPENAI,
        limits=GPT5_LIMITS,
        pricing=Pricing(Price(0.75, 0.075, 4.5)),
        multiplier=0.33,
        category="lightweight",
        endpoints=RESPONSES_WS,
        efforts=EFFORTS_XHIGH,
        plans=WITH_STUDENT,
    ),
    chat(
        "gpt-5.4-nano",
        "GPT-5.4 nano",
        OPENAI,
        limits=GPT5_LIMITS,
        pricing=Pricing(Price(0.2, 0.02, 1.25)),
        multiplier=0.25,
        category="lightweight",
        endpoints=RESPONSES_WS,
        efforts=EFFORTS,
        plans=[PRO_PLUS, MAX],
    ),
    _gpt5(
        "gpt-5.5",
        "GPT-5.5",
        Pricing(Price(5, 0.5, 30), Price(10, 1, 45), 272000),
        2,
        plans=PRO_PLUS_UP,
    ),
    _gpt5(
        "gpt-5.6-sol",
        "GPT-5.6 Sol",
        Pricing(Price(5, 0.5, 30, 6.25), Price(10, 1, 45, 12.5), 272000),
        2,
        plans=PRO_PLUS_UP,
        preview=True,
    ),
    _gpt5(
        "gpt-5.6-terra",
        "GPT-5.6 Terra",
        Pricing(Price(2, 0.2, 12, 2.5), Price(4, 0.4, 18, 5), 272000),
        1,
        preview=True,
    ),
    _gpt5(
        "gpt-5.6-luna",
        "GPT-5.6 Luna",
        Pricing(Price(0.2, 0.02, 1.2, 0.25), Price(0.4, 0.04, 1.8, 0.5), 200000),
        0.25,
        plans=WITH_STUDENT,
        preview=True,
    ),
    # Anthropic: chat and native Messages, prices in the flat shape.
    chat(
        "claude-sonnet-4",
        "Claude Sonnet 4",
        ANTHROPIC,
        limits=(216000, 128000, 16000),
        pricing=SONNET,
        multiplier=1,
        endpoints=CLAUDE,
        plans=PAID,
    ),
    _claude(
        "claude-haiku-4.5",
        "Claude Haiku 4.5",
        Pricing(Price(1, 0.1, 5, 1.25), shape="flat"),
        0.33,
        limits=(200000, 136000, 64000),
        category="lightweight",
        plans=EVERY_PLAN,
    ),
    _claude("claude-sonnet-4.5", "Claude Sonnet 4.5", SONNET, 1, plans=PAID, category="versatile"),
    _claude(
        "claude-sonnet-4.6",
        "Claude Sonnet 4.6",
        SONNET,
        1,
        limits=(200000, 168000, 32000),
        efforts=EFFORTS,
        plans=PAID,
        category="versatile",
    ),
    _million(
        _claude(
            "claude-sonnet-5",
            "Claude Sonnet 5",
            Pricing(Price(2, 0.2, 10, 2.5), shape="flat"),
            1,
            limits=(200000, 136000, 64000),
            efforts=EFFORTS_XHIGH,
            plans=PAID,
            category="versatile",
        ),
        CLAUDE_MILLION,
    ),
    _claude("claude-opus-4.5", "Claude Opus 4.5", OPUS, 3, plans=BUSINESS_UP),
    _claude("claude-opus-4.6", "Claude Opus 4.6", OPUS, 3, efforts=EFFORTS, plans=BUSINESS_UP),
    # Disabled by policy (the fast preview is left off by every account's policy here).
    disabled(
        _claude(
            "claude-opus-4.6-fast",
            "Claude Opus 4.6 (fast mode)",
            OPUS_FAST,
            30,
            efforts=EFFORTS,
            plans=[ENTERPRISE, MAX],
            preview=True,
        )
    ),
    _million(
        _claude(
            "claude-opus-4.6-1m",
            "Claude Opus 4.6 (1M context)",
            OPUS,
            3,
            efforts=EFFORTS,
            plans=BUSINESS_UP,
        ),
        CLAUDE_MILLION,
    ),
    _claude(
        "claude-opus-4.7",
        "Claude Opus 4.7",
        OPUS,
        3,
        limits=(200000, 168000, 32000),
        efforts=EFFORTS,
        plans=PRO_PLUS_UP,
    ),
    _claude(
        "claude-opus-4.8", "Claude Opus 4.8", OPUS, 3, efforts=EFFORTS_XHIGH, plans=PRO_PLUS_UP
    ),
    _claude(
        "claude-opus-4.8-high",
        "Claude Opus 4.8 (high)",
        OPUS,
        3,
        efforts=["high"],
        plans=PRO_PLUS_UP,
    ),
    _claude(
        "claude-opus-4.8-xhigh",
        "Claude Opus 4.8 (xhigh)",
        OPUS,
        3,
        efforts=["xhigh"],
        plans=PRO_PLUS_UP,
    ),
    _claude(
        "claude-opus-4.8-fast",
        "Claude Opus 4.8 (fast mode)",
        OPUS_FAST,
        30,
        efforts=EFFORTS_XHIGH,
        plans=[ENTERPRISE, MAX],
        preview=True,
    ),
    _million(
        _claude(
            "claude-opus-4.8-1m",
            "Claude Opus 4.8 (1M context)",
            OPUS,
            3,
            efforts=EFFORTS_XHIGH,
            plans=PRO_PLUS_UP,
        ),
        CLAUDE_MILLION,
    ),
    _claude("claude-opus-5", "Claude Opus 5", OPUS, 3, efforts=EFFORTS_XHIGH, plans=PRO_PLUS_UP),
    _million(
        _claude(
            "claude-fable-5",
            "Claude Fable 5",
            OPUS_FAST,
            10,
            limits=(200000, 136000, 128000),
            efforts=EFFORTS_XHIGH,
            plans=[ENTERPRISE, MAX],
            preview=True,
        ),
        (1000000, 872000, 128000),
    ),
    # Google: chat only.
    chat(
        "gemini-2.5-pro",
        "Gemini 2.5 Pro",
        GOOGLE,
        limits=(128000, 128000, 64000),
        pricing=Pricing(Price(1.25, 0.125, 10)),
        multiplier=1,
        category="powerful",
        plans=WITH_STUDENT,
        preview=True,
    ),
    chat(
        "gemini-3-flash-preview",
        "Gemini 3 Flash (preview)",
        GOOGLE,
        limits=(128000, 128000, 64000),
        pricing=Pricing(Price(0.5, 0.05, 3)),
        multiplier=0.33,
        category="lightweight",
        endpoints=CHAT_ONLY,
        efforts=["low", "high"],
        plans=WITH_STUDENT,
        preview=True,
    ),
    _million(
        chat(
            "gemini-3.1-pro-preview",
            "Gemini 3.1 Pro (preview)",
            GOOGLE,
            limits=(200000, 136000, 64000),
            pricing=Pricing(Price(2, 0.2, 12), Price(4, 0.4, 18), 200000),
            multiplier=1,
            category="powerful",
            endpoints=CHAT_ONLY,
            efforts=["low", "high"],
            plans=WITH_STUDENT,
            preview=True,
        ),
        (1000000, 936000, 64000),
    ),
    chat(
        "gemini-3.5-flash",
        "Gemini 3.5 Flash",
        GOOGLE,
        limits=(200000, 128000, 64000),
        pricing=Pricing(Price(1.5, 0.15, 9)),
        multiplier=0.33,
        category="lightweight",
        endpoints=CHAT_ONLY,
        efforts=["low", "high"],
        plans=PAID,
    ),
    chat(
        "gemini-3.6-flash",
        "Gemini 3.6 Flash",
        GOOGLE,
        limits=(200000, 128000, 64000),
        pricing=Pricing(Price(0.75, 0.075, 3.75)),
        multiplier=0.25,
        category="lightweight",
        endpoints=CHAT_ONLY,
        efforts=["low", "high"],
        plans=WITH_STUDENT,
        preview=True,
    ),
    # xAI and Microsoft: chat only. Grok 4.5's long tier starts at 200K, within its limit on
    # every API version.
    chat(
        "grok-4.5",
        "Grok 4.5",
        XAI,
        limits=(256000, 240000, 16000),
        pricing=Pricing(Price(2, 0.5, 6), Price(4, 1, 12), 200000),
        multiplier=1,
        category="powerful",
        endpoints=CHAT_ONLY,
        efforts=EFFORTS,
        plans=PAID,
    ),
    chat(
        "grok-code-fast-1",
        "Grok Code Fast 1",
        XAI,
        limits=(256000, 128000, 10000),
        vision=False,
        pricing=Pricing(Price(0.2, 0.02, 1.5)),
        multiplier=0.25,
        category="lightweight",
        endpoints=CHAT_ONLY,
        plans=PAID,
    ),
    chat(
        "mai-code-1-flash",
        "MAI-Code-1-Flash",
        MICROSOFT,
        limits=(128000, 128000, 16384),
        vision=False,
        pricing=Pricing(Price(0.75, 0.075, 4.5)),
        multiplier=0.33,
        category="lightweight",
        endpoints=CHAT_ONLY,
        plans=PAID,
        preview=True,
    ),
    embeddings("text-embedding-3-small", "Embedding V3 small"),
    embeddings("text-embedding-3-small-inference", "Embedding V3 small (inference)"),
    embeddings("text-embedding-ada-002", "Embedding V2 Ada"),
    completion("gpt-41-copilot", "GPT-4.1 Copilot"),
]
