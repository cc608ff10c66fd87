"""What a program tried to reach outside loopback, inside a network namespace of its own
(see agent_session.py): a DNS stub on loopback that records every name looked up and
answers that none exists, and listeners on loopback's web ports that record every
connection made to them."""

from __future__ import annotations

import json
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

NXDOMAIN_FLAGS = b"\x81\x83"  # a response, recursion desired and available, no such name
WEB_PORTS = (80, 443)


def question_name(query: bytes) -> str:
    """The name a DNS query asks about (its first question)."""
    labels, at = [], 12
    while at < len(query) and query[at]:
        length = query[at]
        labels.append(query[at + 1 : at + 1 + length].decode("ascii", "replace"))
        at += 1 + length
    return ".".join(labels)


def no_such_name(query: bytes) -> bytes:
    """The answer to a query: its id and question, no such name, no records."""
    end = 12
    while end < len(query) and query[end]:
        end += 1 + query[end]
    question = query[12 : end + 5]  # the name, its zero byte, type and class
    return query[:2] + NXDOMAIN_FLAGS + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question


@dataclass
class OutsideTraffic:
    """Names looked up and loopback web ports connected to, in the order they came."""

    lookups: list[str] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def looked_up(self, name: str) -> None:
        with self.lock:
            self.lookups.append(name)

    def connected(self, port: int) -> None:
        with self.lock:
            self.connections.append(port)


def dns_handler(traffic: OutsideTraffic) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            query, sock = self.request
            if len(query) > 12:
                traffic.looked_up(question_name(query))
                sock.sendto(no_such_name(query), self.client_address)

    return Handler


def connection_handler(traffic: OutsideTraffic) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            _, port = self.request.getsockname()[:2]
            traffic.connected(int(port))  # then closed: refused, in effect

    return Handler


class ThreadedUDP(socketserver.ThreadingUDPServer):
    allow_reuse_address = True
    daemon_threads = True


class ThreadedTCP(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


@contextmanager
def watched(address: str = "127.0.0.1") -> Iterator[OutsideTraffic]:
    """The stub on `address` port 53 (UDP and TCP) and the web ports' listeners, serving
    until the block ends; what they saw."""
    traffic = OutsideTraffic()
    servers: list[socketserver.BaseServer] = [ThreadedUDP((address, 53), dns_handler(traffic))]
    servers += [
        ThreadedTCP((address, port), connection_handler(traffic)) for port in (53, *WEB_PORTS)
    ]
    with ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            stack.callback(server.shutdown)
        yield traffic


def resolves_nothing(name: str = "example.com") -> bool:
    """Whether a lookup through the system resolver finds no such name (the stub answers)."""
    try:
        socket.getaddrinfo(name, 443)
    except socket.gaierror:
        return True
    return False


def main() -> None:
    """`python outside_traffic.py REPORT.json COMMAND...`: the command run under `watched()`
    (in a namespace whose resolver is the stub: see `agent_session.isolated`), and what it
    tried written to REPORT.json; exits with the command's status."""
    report, *command = sys.argv[1:]
    with watched() as traffic:
        if not resolves_nothing():
            raise SystemExit("the namespace's resolver is not the stub")
        traffic.lookups.clear()
        done = subprocess.run(command, check=False)
    seen = {"lookups": traffic.lookups, "connections": traffic.connections}
    Path(report).write_text(json.dumps(seen))
    raise SystemExit(done.returncode)


if __name__ == "__main__":
    main()
