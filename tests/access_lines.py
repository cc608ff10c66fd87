"""The gateway's access lines as a test reads them: captured by pytest's `caplog`, found by
the request id the test sent, their fields by name."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from servers import until

ACCESS_LOGGER = "copilot_gateway.access"


def capture_access(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)


def access_line(caplog: pytest.LogCaptureFixture, request_id: str) -> dict[str, Any]:
    """The request's access line, its fields by name: waited for, since it is written once
    the response has ended, a moment after the client has it."""

    def found() -> logging.LogRecord | None:
        lines = (line for line in caplog.records if line.name == ACCESS_LOGGER)
        return next((line for line in lines if vars(line).get("request_id") == request_id), None)

    assert until(found)
    line = found()
    assert line is not None
    return vars(line)
