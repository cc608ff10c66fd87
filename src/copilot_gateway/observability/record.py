"""What the gateway learns about one request while serving it, for its log line, its
metrics and its ledger row (`state.ledger`).

The edge opens a record per request (see `edge.calls`) and hands it down with the call;
the parts that learn something write it here (the security check the key's name, the model
policy the model, the upstream client the status it was answered, the handlers the usage,
the upstream which account served it and what it cost).

What a request cost, in AI Credits: the bill the upstream reported (Copilot's
`copilot_usage`), else its tokens at the price the upstream noted (a configured or listed
price, for upstreams that bill nothing of their own), else unknown (None).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..pricing import NANO_AIU_PER_CREDIT, NANO_AIU_PER_USD, TokenCounts, TokenPrice


@dataclass(slots=True)  # so a misspelt field fails loudly
class RequestRecord:
    method: str
    path: str
    started: float = field(default_factory=time.perf_counter)
    at: float = field(default_factory=time.time)  # when it came in (Unix time)
    request_id: str | None = None
    surface: str | None = None  # the API surface its path belongs to (`openai`, `anthropic`)
    client: str | None = None  # the client's family, from its user agent (`clients`)
    operation: str | None = None
    key_name: str | None = None
    # Only a model the upstream offers (noted once policy accepted it): a client's made-up
    # model names must not become metric labels.
    model: str | None = None
    # The model name the client sent (cut short: it is the client's text), before aliases.
    model_asked: str | None = None
    # Whether the upstream was called in the request's own API (False) or in another one, the
    # gateway translating both ways (True); None where no upstream call says either.
    translated: bool | None = None
    status: int | None = None
    upstream_status: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Of the prompt: read from a cache, and written to one (each billed at its own price).
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    # Which of the upstream's accounts served it (a Copilot pool's member), if it has several.
    account: str | None = None
    reported_nano_aiu: int | None = None  # the upstream's own bill, summed over its calls
    price: TokenPrice | None = None  # what its tokens cost, where the upstream bills nothing
    error_code: str | None = None
    completed: bool = False  # the response's last byte was handed to the server

    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def add_usage(self, usage: Any) -> None:
        """An OpenAI chat usage object; fields missing or malformed count as zero."""
        if not isinstance(usage, dict):
            return
        details = usage.get("prompt_tokens_details")
        details = details if isinstance(details, dict) else {}
        for name, value in (
            ("prompt_tokens", usage.get("prompt_tokens")),
            ("completion_tokens", usage.get("completion_tokens")),
            ("cached_tokens", details.get("cached_tokens")),
            ("cache_write_tokens", details.get("cache_write_tokens")),
        ):
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                setattr(self, name, getattr(self, name) + value)

    def add_nano_aiu(self, amount: int) -> None:
        """Part of the upstream's bill (zero too: a free model's bill is a known 0)."""
        self.reported_nano_aiu = (self.reported_nano_aiu or 0) + amount

    def nano_aiu(self) -> int | None:
        """What the request cost: as billed, else priced, else unknown."""
        if self.reported_nano_aiu is not None:
            return self.reported_nano_aiu
        if self.price is None:
            return None
        used = TokenCounts(
            self.prompt_tokens, self.completion_tokens, self.cached_tokens, self.cache_write_tokens
        )
        return self.price.nano_aiu(used)

    def credits(self) -> float | None:
        nano = self.nano_aiu()
        return None if nano is None else nano / NANO_AIU_PER_CREDIT

    def usd(self) -> float | None:
        nano = self.nano_aiu()
        return None if nano is None else nano / NANO_AIU_PER_USD
