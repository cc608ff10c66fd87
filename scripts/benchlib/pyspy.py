"""Where the gateway process spends its time under load: py-spy samples, by layer.

A layer's inclusive share is the fraction of busy samples whose stack passes through it
anywhere (so shares overlap: the handler's share includes the upstream client it awaits
in the same task step). The innermost layer of each sample is shown beside it, but it
misleads on its own: time in a C extension or a small helper lands on whoever called it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .scratch import subdirectory

# Each layer and the source paths (as py-spy prints them) that belong to it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("uvicorn + httptools (HTTP server)", ("uvicorn/", "httptools/")),
    ("connexion (middleware stack, routing, security, validation hooks)", ("connexion/",)),
    ("starlette (requests, responses, routing)", ("starlette/",)),
    (
        "gateway edge middlewares (request id, call, key gate, body limit)",
        ("copilot_gateway/edge/",),
    ),
    ("request validation (parse, limits, schema)", ("copilot_gateway/spec/requests.py",)),
    ("answer conformance checks", ("copilot_gateway/spec/answers.py",)),
    ("handlers and surfaces", ("copilot_gateway/surfaces/",)),
    ("gateway upstream adapter", ("copilot_gateway/upstreams/",)),
    ("httpx (client API)", ("httpx/",)),
    ("aiohttp (transport, pool)", ("aiohttp/", "httpx_aiohttp/")),
    (
        "observability (access log, metrics)",
        ("copilot_gateway/observability/", "prometheus_client/", "logging/", "pythonjsonlogger/"),
    ),
    # `limits/` became `key_limits/`: both, so an older revision's profile reads alike.
    ("limits", ("copilot_gateway/key_limits/", "copilot_gateway/limits/", "limits/")),
    ("token counting and usage", ("copilot_gateway/tokens.py", "copilot_gateway/usage.py")),
]
OTHER = "other (event loop, stdlib)"  # the innermost frame is in no layer above
# The log writer thread waiting for records (`dequeue`) is idle too.
IDLE_LEAVES = ("select", "epoll", "run_forever", "_run_once", "QueueListener.dequeue")


def path_of(frame: str) -> str:
    """`func (path/to/file.py:12)` -> `path/to/file.py`"""
    start = frame.rfind("(")
    return frame[start + 1 : frame.rfind(":")] if start >= 0 else frame


def layers_of(frames: list[str]) -> list[str]:
    """The layers a stack passes through, outermost first (each once)."""
    found: list[str] = []
    for frame in frames:
        path = path_of(frame)
        for name, prefixes in LAYERS:
            if path.startswith(prefixes) and name not in found:
                found.append(name)
                break
    return found


def innermost(frames: list[str]) -> str:
    for frame in reversed(frames):
        path = path_of(frame)
        for name, prefixes in LAYERS:
            if path.startswith(prefixes):
                return name
    return OTHER


def shares(raw: str) -> tuple[int, Counter[str], Counter[str]]:
    """(busy samples, inclusive samples by layer, innermost samples by layer)"""
    inclusive: Counter[str] = Counter()
    inner: Counter[str] = Counter()
    busy = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if any(word in frames[-1] for word in IDLE_LEAVES) and len(frames) < 8:
            continue  # waiting for I/O, not working
        samples = int(count)
        busy += samples
        for layer in layers_of(frames):
            inclusive[layer] += samples
        inner[innermost(frames)] += samples
    return busy, inclusive, inner


def profile(
    pid: int, seconds: int, load: Callable[[], object]
) -> tuple[int, Counter[str], Counter[str]]:
    """Sample `pid` with py-spy while `load()` runs (it should last about `seconds`)."""
    spy = Path(sys.executable).parent / "py-spy"
    raw = subdirectory("profile") / f"{pid}.txt"
    command = [str(spy), "record", "-p", str(pid), "-o", str(raw), "-f", "raw"]
    command += ["-d", str(seconds), "-r", "200"]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    load()
    recorder.wait(timeout=seconds + 30)
    return shares(raw.read_text())


def available() -> bool:
    return (Path(sys.executable).parent / "py-spy").exists()
