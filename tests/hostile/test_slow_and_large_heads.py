"""Hostile clients on the wire, before any request reaches the app: huge headers, heads
that never end, connections that never speak, too many connections, bodies trickled."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from hostile_wire import AUTH_HEADER, closed_by_peer, connect, error_of, read_response, serving
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from copilot_gateway.edge.descriptors import connections_allowed, raise_descriptor_limit
from copilot_gateway.edge.http_protocol import OVERRIDDEN_HOOKS, ApiErrorsHttpToolsProtocol
from servers import gateway_settings

REQUEST_LINE = b"GET /v1/models HTTP/1.1\r\nHost: gateway\r\n"


def test_headers_past_the_limit_are_431_before_the_rest_is_read(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, max_header_bytes=8192)
    with serving(settings) as (_, port):
        sock = connect(port)
        sent = 0
        total = 64 * 1024 * 1024  # a 64 MiB header, as the attack sent

        def send_huge_header() -> None:
            nonlocal sent
            try:
                sock.sendall(REQUEST_LINE + b"X-Huge: ")
                while sent < total:
                    sock.sendall(b"a" * 65536)
                    sent += 65536
            except OSError:
                pass  # the gateway answered and closed: what the test wants

        sender = threading.Thread(target=send_huge_header, daemon=True)
        sender.start()
        status, headers, body = read_response(sock)
        assert status == 431
        assert headers["content-type"] == "application/json"
        error = error_of(body)
        assert error["type"] == "invalid_request_error"
        assert error["code"] == "request_header_fields_too_large"
        assert "8192 bytes" in error["message"]
        sender.join(timeout=10)
        assert sent < total // 4  # refused early, the rest never read
        sock.close()


def test_headers_within_the_limit_are_served(emulator_url: str) -> None:
    with serving(gateway_settings(emulator_url, max_header_bytes=8192)) as (_, port):
        sock = connect(port)
        sock.sendall(REQUEST_LINE + AUTH_HEADER + b"X-Big: " + b"a" * 6000 + b"\r\n\r\n")
        status, _, _ = read_response(sock)
        assert status == 200


def test_a_connection_that_never_sends_a_byte_is_closed(emulator_url: str) -> None:
    with serving(gateway_settings(emulator_url, first_byte_timeout=0.5)) as (_, port):
        sock = connect(port)
        assert closed_by_peer(sock, within=3.0)


def test_a_trickled_request_head_is_answered_408_at_its_deadline(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, request_head_timeout=1.0, first_byte_timeout=0.5)
    with serving(settings) as (_, port):
        sock = connect(port)
        sock.sendall(REQUEST_LINE)
        started = time.monotonic()
        sock.settimeout(0.2)
        for number in range(50):  # a header line every 0.1 s: every single read is prompt
            try:
                sock.sendall(b"X-Slow-%d: 1\r\n" % number)
            except OSError:
                break
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except TimeoutError:
                pass
        sock.settimeout(5)
        status, _, body = read_response(sock)
        assert status == 408
        assert error_of(body)["code"] == "request_timeout"
        assert "headers" in error_of(body)["message"]
        assert time.monotonic() - started < 3.0


def test_connections_past_the_cap_are_refused_with_503_and_logged(
    emulator_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = gateway_settings(emulator_url, max_connections=3, first_byte_timeout=30)
    with serving(settings) as (_, port):
        held = [connect(port) for _ in range(3)]
        time.sleep(0.2)
        refused = connect(port)
        status, _, body = read_response(refused)
        assert status == 503
        assert error_of(body)["code"] == "too_many_connections"
        assert any("refused 1 connection" in r.getMessage() for r in caplog.records)
        for sock in held:  # once they go, new clients are served again
            sock.close()
        time.sleep(0.2)
        sock = connect(port)
        sock.sendall(REQUEST_LINE + AUTH_HEADER + b"\r\n")
        assert read_response(sock)[0] == 200


def test_a_body_trickled_past_the_total_deadline_is_408(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, body_timeout=5, body_total_timeout=1.5)
    with serving(settings) as (_, port):
        sock = connect(port)
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
            + AUTH_HEADER
            + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        started = time.monotonic()
        sock.settimeout(0.3)
        status = body = None
        while time.monotonic() - started < 6:
            try:
                sock.sendall(b" ")  # a byte now and then: within the per-read timeout
                status, _, body = read_response(sock)
                break
            except TimeoutError:
                continue
        assert status == 408, "the trickled body was never refused"
        assert body is not None and "whole request body" in error_of(body)["message"]
        assert time.monotonic() - started < 4.0


def test_the_uvicorn_hooks_the_protocol_overrides_still_exist() -> None:
    for hook in OVERRIDDEN_HOOKS:
        assert callable(getattr(HttpToolsProtocol, hook, None)), hook
        assert hook in vars(ApiErrorsHttpToolsProtocol), hook


def test_the_descriptor_limit_is_raised_and_caps_the_connections() -> None:
    import resource

    limit = raise_descriptor_limit()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert limit == soft
    assert soft == hard or hard == resource.RLIM_INFINITY
    assert connections_allowed(None) == (soft - 64) // 2
    assert connections_allowed(7) == 7
