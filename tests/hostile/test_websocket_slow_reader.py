"""A WebSocket client that stops reading mid-turn: the gateway's send buffer is bounded, so
its relay waits and the upstream read stops (the upstream blocked on it, most of its stream
unwritten); the client gone, the upstream stream is closed. The same proof as over SSE (see
test_abandoned_streams; the upstream is `fast_upstream`)."""

from __future__ import annotations

from fast_upstream import CHUNK, CHUNKS, fast_upstream
from hostile_wire import serving
from test_abandoned_streams import reset
from websocket_wire import create, raw_handshake, read_head, text_frame

from servers import gateway_settings, until


def test_a_websocket_client_that_stops_reading_stops_the_upstream_read() -> None:
    with fast_upstream() as (upstream, upstream_url):
        # A write deadline far past the test: a reader stopped, not gone (that is half_open's).
        settings = gateway_settings(
            "",
            upstream="openai",
            upstream_url=upstream_url,
            upstream_responses="translate",
            write_timeout_seconds=3600,
        )
        with serving(settings) as (_, port):
            sock = raw_handshake(port, rcvbuf=4096)
            assert read_head(sock).startswith(b"HTTP/1.1 101 ")
            sock.sendall(text_frame(create().encode()))
            # Never read again: the socket buffers fill up, then the gateway must stop
            # reading its upstream, which stays blocked with far less than its stream written.
            assert until(upstream.stopped(), every=0.5), "the gateway never stopped reading"
            assert upstream.written < CHUNKS * len(CHUNK) / 2
            assert upstream.streams_open == 1
            reset(sock)  # gone, mid-turn
            assert until(lambda: upstream.streams_open == 0)
            assert upstream.written < CHUNKS * len(CHUNK) / 2
