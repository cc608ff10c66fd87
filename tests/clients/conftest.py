"""Real client libraries against a gateway whose upstream is the emulator, all on loopback.

These clients are heavy: only the `clients` tox environment installs them, and it sets
CLIENT_TESTS=1. Elsewhere this folder is not collected, and the `clients` environment runs
nothing else, so a missing client fails there (no tests) instead of being skipped.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

if os.environ.get("CLIENT_TESTS") != "1":
    collect_ignore_glob = ["test_*.py"]

# Telemetry and downloads off, before any client is imported.
os.environ.update(
    {
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "DSP_CACHEBOOL": "False",
        "DO_NOT_TRACK": "1",
        "OTEL_SDK_DISABLED": "true",
        "LANGCHAIN_TRACING_V2": "false",
        "LANGSMITH_TRACING": "false",
        "HF_HUB_OFFLINE": "1",
        "INSTRUCTOR_DISABLE_TELEMETRY": "1",
    }
)


def loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # a Unix socket
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """A client that tries to reach past loopback fails at once instead of leaking traffic."""
    connect, resolve = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
            raise ConnectionRefusedError(f"tests reach loopback only, not {address!r}")
        return connect(self, address)

    def guarded_resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not loopback(name):
            raise socket.gaierror(f"tests resolve loopback only, not {name!r}")
        return resolve(host, *args, **kwargs)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_resolve  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.getaddrinfo = resolve
