"""What the gateway learns about one request while serving it, for its log line and metrics.

The edge opens a record per request (see `edge.calls`) and hands it down with the call;
the parts that learn something write it here (the security check the key's name, the model
policy the model, the upstream client the status it was answered, the handlers the usage).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)  # so a misspelt field fails loudly
class RequestRecord:
    method: str
    path: str
    started: float = field(default_factory=time.perf_counter)
    operation: str | None = None
    key_name: str | None = None
    # Only a model the upstream offers (noted once policy accepted it): a client's made-up
    # model names must not become metric labels.
    model: str | None = None
    status: int | None = None
    upstream_status: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error_code: str | None = None
    completed: bool = False  # the response's last byte was handed to the server

    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def add_usage(self, usage: Any) -> None:
        """An OpenAI usage object; fields missing or malformed count as zero."""
        if not isinstance(usage, dict):
            return
        for name in ("prompt_tokens", "completion_tokens"):
            value = usage.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                setattr(self, name, getattr(self, name) + value)
