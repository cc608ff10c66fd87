"""The one place a finished request is logged and counted, errors included."""

from __future__ import annotations

from ..errors import GatewayError
from . import metrics
from .logs import log_request
from .record import RequestRecord


def observe(record: RequestRecord, error: GatewayError | None, counted: bool = True) -> None:
    """Log the request's access line and count it (unless not `counted`: the operator's
    requests are no client's usage), once its response is done."""
    if error is not None:
        record.error_code = error.code or type(error).__name__  # its kind, where no code says
    elif record.status is not None and not record.completed:
        # Streams end with their surface's end or an error event: one cut short lost its client.
        record.error_code = "client_disconnected"
    seconds = record.seconds()
    if counted:
        metrics.observe_request(record, seconds)
    log_request(record, seconds)
