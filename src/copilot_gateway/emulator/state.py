"""What the emulator is told (its config) and what it has done (its state): the two things
tests set and read, and what every route is handed."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from typing import Protocol

from . import plans, quota
from .faults import Fault

TOKEN_LIFETIME = 1800  # seconds: "about thirty minutes", as Copilot's tokens last


@dataclass
class EmulatorConfig:
    """How the emulator behaves."""

    # Streams wait `first_token_ms` before their first piece of generated content, and
    # `token_interval_ms` before every piece (a word, a thinking step, half a tool call).
    first_token_ms: float = 0.0
    token_interval_ms: float = 0.0
    token_lifetime: int = TOKEN_LIFETIME
    omit_usage: bool = False  # behave like an upstream that reports no usage
    api_base: str | None = None  # the `endpoints.api` to hand out (default: this server)
    # The device flow: what each poll of a login answers in turn (then the token), and
    # the polling interval it asks for.
    device_polls: list[str] = field(default_factory=lambda: ["authorization_pending", "slow_down"])
    device_interval: int = 0
    # What each plan gets (see `plans`), for tests that run one out: AI credits a month,
    # credit budgets of the 5-hour session and weekly windows, and premium requests a month
    # (for the seats still billed in them, `gho_legacy…`).
    monthly_credits: dict[str, float] = field(default_factory=lambda: dict(plans.MONTHLY_CREDITS))
    session_credits: dict[str, float] = field(default_factory=lambda: dict(plans.SESSION_CREDITS))
    weekly_credits: dict[str, float] = field(default_factory=lambda: dict(plans.WEEKLY_CREDITS))
    entitlements: dict[str, int] = field(default_factory=lambda: dict(plans.PREMIUM_REQUESTS))
    # Copilot's client-version gate: a request whose `X-GitHub-Api-Version` is older than
    # `min_api_version`, or whose `Editor-Plugin-Version` is an older version of the same
    # plugin than `min_plugin_version`, is refused with 466.
    min_api_version: str = "2026-01-09"
    min_plugin_version: str = "copilot-chat/0.40.0"

    def budgets_times(self, scale: float) -> EmulatorConfig:
        """This config with every plan's budgets (credits a month, the session and weekly
        windows, premium requests) times `scale`: a soak at full speed spends a `max`
        account's 5-hour window in about a minute, which no real client does."""

        def times(budgets: dict[str, float]) -> dict[str, float]:
            return {plan: budget * scale for plan, budget in budgets.items()}

        return replace(
            self,
            monthly_credits=times(self.monthly_credits),
            session_credits=times(self.session_credits),
            weekly_credits=times(self.weekly_credits),
            entitlements={plan: round(n * scale) for plan, n in self.entitlements.items()},
        )


@dataclass
class EmulatorState:
    """What the emulator has served, and the faults it is told to serve next: what tests
    inspect and inject."""

    device_codes: dict[str, int] = field(default_factory=dict)  # device code -> polls so far
    exchanges: int = 0  # token exchanges served
    # GitHub tokens whose exchange is refused now (401, as for a revoked token), until removed.
    refused_exchanges: set[str] = field(default_factory=set)
    issued: dict[str, float] = field(default_factory=dict)  # copilot token -> expiry
    faults: list[Fault] = field(default_factory=list)  # served in order, one per API call
    # The headers of the latest API calls (bounded: soak runs make millions).
    seen_headers: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=1000))
    open_streams: int = 0  # streams being sent right now (a client leaving must end its own)
    quotas: dict[str, quota.Account] = field(default_factory=dict)  # by account id
    # The bodies of the latest /responses, /chat/completions and /v1/messages calls (what
    # the gateway sent upstream).
    responses_requests: deque[dict] = field(default_factory=lambda: deque(maxlen=100))
    chat_requests: deque[dict] = field(default_factory=lambda: deque(maxlen=100))
    messages_requests: deque[dict] = field(default_factory=lambda: deque(maxlen=100))


class Emulator(Protocol):
    """What a route sees of the emulator serving it. A reset replaces both objects, so a
    route reads them anew at each use (a stream that outlives a reset still counts itself
    out of the state that counts it now)."""

    @property
    def config(self) -> EmulatorConfig: ...

    @property
    def state(self) -> EmulatorState: ...
