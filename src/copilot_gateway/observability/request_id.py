"""The id of the request being served, as every log line carries it.

A context variable because log lines are written from everywhere (uvicorn, httpx, our
upstream client), far from any request object; streams' tasks inherit it. The edge sets it
for each request (see `edge.request_id`); a surface may also name it in its error bodies.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Gives every record it passes `request_id`: the request being served when it was
    logged. On the handler, so it sees the records of every logger that reach it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
