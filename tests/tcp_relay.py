"""A TCP relay on loopback in front of a server: `cut` closes every connection through it and
its port (a client connecting gets a refusal, as from a stopped server) while the server
runs on for everyone else; `mend` listens on the same port again. `freeze` makes every
connection through it half-open, as a peer that vanished without a FIN or RST (a laptop
closed, a NAT that dropped its state): both sockets stay open, nothing more is read or
written either way, so the server's writes fill its buffers and its reads never return."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from commands import free_port


class TcpRelay:
    def __init__(self, target_port: int, receive_buffer: int | None = None) -> None:
        self.target_port = target_port
        # The relay's receive buffer toward the server, when given: a small one, and frozen,
        # the server's writes fill what little is on the way soon.
        self.receive_buffer = receive_buffer
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.to_server = 0  # bytes forwarded from clients to the server
        self._flowing = threading.Event()
        self._flowing.set()

    def freeze(self) -> None:
        self._flowing.clear()

    def mend(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # the accepting thread wakes and ends
            listener.close()
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._flowing.set()  # frozen pumps wake to closed sockets, and end

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.socket()
            if self.receive_buffer is not None:
                server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
            try:
                server.connect(("127.0.0.1", self.target_port))
            except OSError:
                server.close()
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            for source, sink, upward in ((client, server, True), (server, client, False)):
                pump = threading.Thread(target=self._pump, args=(source, sink, upward), daemon=True)
                pump.start()

    def _pump(self, source: socket.socket, sink: socket.socket, upward: bool) -> None:
        with contextlib.suppress(OSError):
            while True:
                self._flowing.wait()
                chunk = source.recv(65536)
                self._flowing.wait()  # frozen meanwhile: this read is held, as what follows
                if not chunk:
                    break
                sink.sendall(chunk)
                if upward:
                    self.to_server += len(chunk)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def relayed(target_port: int, receive_buffer: int | None = None) -> Iterator[TcpRelay]:
    relay = TcpRelay(target_port, receive_buffer)
    relay.mend()
    try:
        yield relay
    finally:
        relay.cut()
