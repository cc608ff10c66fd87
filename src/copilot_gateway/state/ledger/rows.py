"""What a finished request's record becomes in the ledger: its row, never a body or a
secret (the key's name, not the key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...observability.record import RequestRecord

Row = dict[str, Any]


def row_of(record: RequestRecord) -> Row:
    """The ledger row of a request whose response is done (its latency is read now)."""
    return {
        "at": datetime.fromtimestamp(record.at, UTC),
        "request_id": record.request_id,
        "key_name": record.key_name,
        "account": record.account,
        "surface": record.surface,
        "operation": record.operation,
        "model_asked": record.model_asked,
        "model_served": record.model,
        "translated": record.translated,
        "status": record.status,
        "upstream_status": record.upstream_status,
        "error_code": record.error_code,
        # The prompt's tokens, those read from a cache among them.
        "input_tokens": record.prompt_tokens,
        "cached_tokens": record.cached_tokens,
        "output_tokens": record.completion_tokens,
        "nano_aiu": record.nano_aiu(),
        "credits": record.credits(),
        "usd": record.usd(),
        "latency_ms": round(record.seconds() * 1000, 3),
        "client": record.client,
    }
