"""Log set-up (JSON lines when not on a terminal, readable text on one) and the access log:
one line per request, with what its record learnt. Never a body, never a secret."""

from __future__ import annotations

import atexit
import logging
import queue
import sys
from logging.handlers import QueueHandler, QueueListener
from typing import Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter

from .record import RequestRecord
from .request_id import RequestIdFilter

access_log = logging.getLogger("copilot_gateway.access")

# The access line's fields, in the order the text format shows them.
ACCESS_FIELDS = (
    "operation",
    "model",
    "key",
    "account",
    "latency_ms",
    "upstream_status",
    "prompt_tokens",
    "completion_tokens",
    "credits",
    "error",
)

LogFormat = Literal["auto", "json", "text"]

# Control characters (C0, DEL, C1) and Unicode's line breaks, as Python writes them escaped:
# a client's path or model name must never start a line of its own, nor drive a terminal.
CONTROL_CHARACTERS = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
ESCAPED = str.maketrans({code: repr(chr(code))[1:-1] for code in CONTROL_CHARACTERS})


def escaped(text: str) -> str:
    """text on one line, every control character shown escaped (`\\n`, `\\x1b`)."""
    return text.translate(ESCAPED)


class TextFormatter(logging.Formatter):
    """uvicorn-like lines, with the access line's fields as `name=value`: one line per
    record, whatever its values hold (a traceback included, its line breaks escaped)."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s:     [%(request_id)s] %(message)s", defaults={"request_id": "-"}
        )

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = [
            f"{name}={getattr(record, name)}" for name in ACCESS_FIELDS if hasattr(record, name)
        ]
        return escaped(" ".join([line, *fields]))


def json_formatter() -> logging.Formatter:
    return OrjsonFormatter(
        ["levelname", "name", "message", "request_id"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
        # uvicorn adds a copy of some messages with terminal colour codes.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


class InThreadHandler(QueueHandler):
    """Hands each record to the writing thread as it is: formatting (JSON, a traceback) and
    writing happen there, while the event loop waits on the network anyway."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record  # the queue stays in this process: nothing needs flattening


_writer: QueueListener | None = None


@atexit.register  # what is queued is written before the process ends
def _stop_writer() -> None:
    global _writer
    if _writer is not None:
        _writer.stop()
        _writer = None


def configure_logging(log_format: LogFormat = "auto", level: str = "info") -> None:
    """The root logger for the whole process, uvicorn's loggers included."""
    global _writer
    _stop_writer()
    use_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter() if use_json else TextFormatter())
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    _writer = QueueListener(records, handler)
    _writer.start()
    handing_over = InThreadHandler(records)
    handing_over.addFilter(RequestIdFilter())  # in the request's own context, not the thread's
    root = logging.getLogger()
    root.handlers[:] = [handing_over]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []  # theirs propagate to ours
    # One line per upstream call and per skipped SSE validation is noise, not news.
    for chatty in ("httpx", "connexion.middleware.validation"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def log_request(record: RequestRecord, seconds: float) -> None:
    fields: dict[str, object] = {"method": record.method, "path": record.path}
    fields["status"] = record.status
    if record.operation:
        fields["operation"] = record.operation
    if record.model:
        fields["model"] = record.model
    if record.key_name:
        fields["key"] = record.key_name
    if record.account:
        fields["account"] = record.account
    fields["latency_ms"] = round(seconds * 1000, 2)
    if record.upstream_status is not None:
        fields["upstream_status"] = record.upstream_status
    if record.prompt_tokens or record.completion_tokens:
        fields["prompt_tokens"] = record.prompt_tokens
        fields["completion_tokens"] = record.completion_tokens
    if (credits := record.credits()) is not None:
        fields["credits"] = credits
    if record.error_code:
        fields["error"] = record.error_code
    access_log.info("%s %s %s", record.method, record.path, record.status, extra=fields)
