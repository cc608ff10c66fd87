"""What the upstream answered, checked against the spec before a client sees it.

A malformed upstream answer must never reach a client as if it were valid: by default it
becomes a 502 (or, mid-stream, an error event); `GATEWAY_UPSTREAM_VALIDATION=log` only logs.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from connexion.json_schema import resolve_refs

from ..errors import UpstreamFailed
from ..observability.metrics import count_upstream_error
from .documents import load_spec
from .schemas import NAMED, named, param_path

log = logging.getLogger(__name__)


@cache
def schemas_of(document: str) -> dict[str, Any]:
    """A document's component schemas, references resolved; each says which it is, so that
    `compiled` finds its validator by name."""
    schemas: dict[str, Any] = resolve_refs(load_spec(document))["components"]["schemas"]
    for name, schema in schemas.items():
        schema[NAMED] = f"{document}#{name}"
    return schemas


class AnswerChecks:
    def __init__(self, reject: bool) -> None:
        self.reject = reject

    def check(self, document: str, schema_name: str, body: Any) -> None:
        """Raise UpstreamFailed (or only log) if body is not a valid `schema_name`."""
        for error in named(document, schema_name).iter_errors(body):
            where = param_path(list(error.instance_path)) or "the answer"
            count_upstream_error("nonconforming_answer")
            log.warning(
                "upstream answer does not conform to %s at %s: %s",
                schema_name,
                where,
                error.message,
            )
            if self.reject:
                raise UpstreamFailed(
                    f"The upstream sent an answer that does not conform to the spec ({where}).",
                    code="upstream_invalid_response",
                )
            return
