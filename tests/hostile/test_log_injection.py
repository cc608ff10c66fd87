"""Text logs: one line per event, every client-supplied value with its control characters
shown escaped, whatever a client sends."""

from __future__ import annotations

import io
import logging
import sys

from hostile_wire import connect, read_response, serving

from copilot_gateway.observability.logs import TextFormatter
from copilot_gateway.observability.request_id import RequestIdFilter
from servers import gateway_settings


def test_a_forged_log_line_in_a_url_stays_on_its_own_line(emulator_url: str) -> None:
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        with serving(gateway_settings(emulator_url)) as (_, port):
            sock = connect(port)
            path = b"/v1/x%0AINFO:%20%20%20%20%20[req_0]%20forged%0D%00%1B[2J%E2%80%A8"
            key = b"Authorization: Bearer sk-test-key\r\n"  # past the key gate, to routing
            sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: gateway\r\n" + key + b"\r\n")
            assert read_response(sock)[0] == 404
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = output.getvalue().splitlines()
    [access] = [line for line in lines if "/v1/x" in line]
    assert access.startswith("INFO:     [req_")
    assert "\\nINFO:     [req_0] forged\\r\\x00\\x1b[2J\\u2028 404" in access
    assert not any(line.startswith("INFO:     [req_0] forged") for line in lines)


def test_every_record_is_one_line_tracebacks_included() -> None:
    formatter = TextFormatter()
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "a\x1b]0;title\x07b", None, sys.exc_info()
        )
    record.model = "gpt\n4o"
    line = formatter.format(record)
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert "a\\x1b]0;title\\x07b" in line and "model=gpt\\n4o" in line
    assert "ValueError: bad\\nvalue" in line
