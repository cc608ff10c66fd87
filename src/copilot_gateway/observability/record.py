"""What the gateway learns about one request while serving it, for its log line and metrics.

The edge opens a record per request (see `edge.calls`); the parts that learn something
note it here (the security check the key's name, the model policy the model, the upstream
client its status, the handlers the usage). Outside a request the notes go nowhere.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)  # so a misspelt `note(...)` field fails loudly
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


# A context variable, not an argument, because the upstream client notes its status here
# from deep below any handler, through interfaces that know nothing of requests.
current_record: ContextVar[RequestRecord | None] = ContextVar("request_record", default=None)


def note(**facts: Any) -> None:
    """Set these fields of the current request's record, e.g. `note(model="gpt-4o")`."""
    if record := current_record.get():
        for name, value in facts.items():
            setattr(record, name, value)
