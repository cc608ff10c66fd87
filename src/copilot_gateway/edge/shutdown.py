"""Shutdown's signal, passed on: SIGTERM or SIGINT begins the draining of open streams
(see `draining`), then the server's own handler stops the server."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from ..draining import Draining


def drain_on_signals(draining: Draining) -> None:
    """On SIGTERM or SIGINT, begin draining, then let the server's own handler stop it.

    Called at start-up, once uvicorn has installed its handlers (in every worker process
    with `--workers N`). Signals reach only the main thread: elsewhere (tests serving from a
    thread) there is nothing to chain.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGTERM, signal.SIGINT):
        server_handler = signal.getsignal(number)
        if not callable(server_handler):
            continue

        def handler(
            signum: int, frame: FrameType | None, server_handler: Any = server_handler
        ) -> None:
            draining.request()
            server_handler(signum, frame)

        signal.signal(number, handler)
