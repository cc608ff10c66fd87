"""The one place a finished request is logged and counted, errors included."""

from __future__ import annotations

from ..errors import GatewayError
from . import metrics
from .logs import log_request
from .record import RequestRecord


def observe(record: RequestRecord, error: GatewayError | None) -> None:
    """Log the request's access line and count it, once its response is done."""
    if error is not None:
        record.error_code = error.code or type(error).__name__  # its kind, where no code says
    elif record.status is not None and not record.completed:
        # Streams end with their surface's end or an error event: one cut short lost its client.
        record.error_code = "client_disconnected"
    seconds = record.seconds()
    metrics.observe_request(record, seconds)
    log_request(record, seconds)
