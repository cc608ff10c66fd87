"""Hostile clients on the wire, before any request reaches the app: huge headers, heads
that never end, connections that never speak, too many connections, bodies trickled."""

from __future__ import annotations

import socket
import threading

import pytest
from hostile_wire import AUTH_HEADER, closed_by_peer, connect, error_of, read_response, serving
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from copilot_gateway.edge.descriptors import connections_allowed, raise_descriptor_limit
from copilot_gateway.edge.http_protocol import OVERRIDDEN_HOOKS, ApiErrorsHttpToolsProtocol
from servers import gateway_settings, until

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
        assert closed_by_peer(sock, within=30)  # a generous bound: the timeout is 0.5 s


def test_a_trickled_request_head_is_answered_408_at_its_deadline(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, request_head_timeout=1.0, first_byte_timeout=0.5)
    with serving(settings) as (_, port):
        sock = connect(port)
        sock.sendall(REQUEST_LINE)
        sock.settimeout(0.2)
        # A header line every 0.2 s or so, each read prompt, the head never finished: only
        # its deadline can answer it (the bound is for a gateway that never does).
        for number in range(600):
            try:
                sock.sendall(b"X-Slow-%d: 1\r\n" % number)
            except OSError:
                break
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except TimeoutError:
                pass
        else:
            pytest.fail("the trickled head was never answered")
        sock.settimeout(30)
        status, _, body = read_response(sock)
        assert status == 408
        assert error_of(body)["code"] == "request_timeout"
        assert "headers" in error_of(body)["message"]


def test_connections_past_the_cap_are_refused_with_503_and_logged(
    emulator_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = gateway_settings(emulator_url, max_connections=3, first_byte_timeout=30)
    with serving(settings) as (_, port):
        # The server accepts connections in the order they came: the fourth finds three.
        held = [connect(port) for _ in range(3)]
        refused = connect(port)
        refused.sendall(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
        status, _, body = read_response(refused)
        assert status == 503
        assert error_of(body)["code"] == "too_many_connections"
        assert any("refused 1 connection" in r.getMessage() for r in caplog.records)
        for sock in held:  # once they go (the server notices soon after), clients are served
            sock.close()
        assert until(lambda: served(port), every=0.05)


def test_a_body_trickled_past_the_total_deadline_is_408(emulator_url: str) -> None:
    settings = gateway_settings(emulator_url, body_timeout=5, body_total_timeout=1.5)
    with serving(settings) as (_, port):
        sock = connect(port)
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
            + AUTH_HEADER
            + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        sock.settimeout(0.3)
        status = body = None
        # A byte every 0.3 s or so, each within the per-read timeout: only the deadline of
        # the whole body can refuse it (the bound is for a gateway that never does).
        for _ in range(400):
            try:
                sock.sendall(b" ")
                status, _, body = read_response(sock)
                break
            except TimeoutError:
                continue
        assert status == 408, "the trickled body was never refused"
        assert body is not None and "whole request body" in error_of(body)["message"]


def served(port: int) -> bool:
    """Whether a new connection's request is answered 200 (not refused as past the cap)."""
    with connect(port) as sock:
        sock.sendall(REQUEST_LINE + AUTH_HEADER + b"\r\n")
        return read_response(sock)[0] == 200


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
