"""The process's file-descriptor limit: raised at start-up where allowed, and the cap on
open client connections that follows from it."""

from __future__ import annotations

import resource

# Descriptors kept for what is not a client connection: logs, the listening socket,
# the metrics directory, the Python runtime.
RESERVED = 64


def raise_descriptor_limit() -> int:
    """Raise the soft limit on open files to the hard one (allowed without privileges);
    the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            return soft
        return wanted
    return soft


def connections_allowed(configured: int | None) -> int:
    """The configured cap, else what the descriptor limit allows: each client connection
    may hold an upstream connection too, so half of what is left after the reserve."""
    if configured is not None:
        return configured
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max((soft - RESERVED) // 2, 1)
