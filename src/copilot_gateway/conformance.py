"""What the upstream answered, checked against the spec before a client sees it.

A malformed upstream answer must never reach a client as if it were valid: by default it
becomes a 502 (or, mid-stream, an error event); `GATEWAY_UPSTREAM_VALIDATION=log` only logs.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from connexion.json_schema import resolve_refs

from .errors import UpstreamFailed
from .metrics import count_upstream_error
from .spec import load_spec
from .validation import compiled, param_path

log = logging.getLogger(__name__)


@cache
def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = resolve_refs(load_spec())["components"]["schemas"]
    return schemas


ANSWERS = (
    "ListModelsResponse",
    "Model",
    "CreateChatCompletionResponse",
    "CreateChatCompletionStreamResponse",
    "CreateCompletionResponse",
    "CreateCompletionStreamResponse",
    "CreateEmbeddingResponse",
)


def compile_all() -> None:
    """Compile the answer schemas now (a few ms), not on the first request of each kind."""
    for name in ANSWERS:
        compiled(_schemas()[name])


def check(schema_name: str, body: Any, reject: bool) -> None:
    """Raise UpstreamFailed (or only log) if body is not a valid `schema_name`."""
    for error in compiled(_schemas()[schema_name]).iter_errors(body):
        where = param_path(list(error.instance_path)) or "the answer"
        count_upstream_error("nonconforming_answer")
        log.warning(
            "upstream answer does not conform to %s at %s: %s", schema_name, where, error.message
        )
        if reject:
            raise UpstreamFailed(
                f"The upstream sent an answer that does not conform to the OpenAI spec ({where}).",
                code="upstream_invalid_response",
            )
        return
