"""wrk as the benchmark's load generator: one closed-loop run, its figures as a `WrkRun`.

A generated Lua script sets the method, headers and body, and prints the run's
percentiles as one JSON line when wrk is done (wrk's own `--latency` table rounds them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .figures import WrkRun
from .procs import descendants, tree_cpu_seconds
from .scratch import subdirectory

MARKER = "BENCH_JSON "
LUA = """\
wrk.method = "POST"
{headers}
local file = io.open("{body}", "rb")
wrk.body = file:read("*a")
file:close()

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\n{marker}{{"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,'
    .. '"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
"""


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: scripts/bench installs it (apt-get install wrk)")
    return found


@dataclass(frozen=True)
class Load:
    """What to send: the URL (its path included), headers, and the body; and the server's
    process, whose CPU time (its workers' included) is read around each run."""

    url: str
    headers: dict[str, str]
    body: bytes
    pid: int | None = None

    def script(self, directory: Path) -> Path:
        body = directory / f"body-{abs(hash(self.body))}.json"
        if not body.exists():
            body.write_bytes(self.body)
        headers = "\n".join(
            f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}"
            for name, value in self.headers.items()
        )
        script = directory / f"load-{abs(hash((self.url, *self.headers.items(), self.body)))}.lua"
        script.write_text(LUA.format(headers=headers, body=body, marker=MARKER))
        return script


def wrk(load: Load, connections: int, seconds: float) -> WrkRun:
    """One closed-loop run: `connections` keep-alive connections, each a request at a time.
    With the server's pid, its CPU time per request too (utime + stime): unlike throughput,
    hardly moved by whatever else the machine runs meanwhile."""
    pids = descendants(load.pid) if load.pid else None
    command = [
        wrk_path(),
        "-t1",  # one thread drives 60k+ req/s: the other core is left to the servers
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(load.script(subdirectory("wrk"))),
        load.url,
    ]
    cpu_before = tree_cpu_seconds(pids) if pids else 0.0
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = tree_cpu_seconds(pids) - cpu_before if pids else None
    line = next(line for line in output.splitlines() if line.startswith(MARKER))
    figures = json.loads(line[len(MARKER) :])
    return WrkRun(
        rps=figures["requests"] / (figures["duration_us"] / 1e6),
        requests=figures["requests"],
        errors=figures["errors"],
        non2xx=figures["non2xx"],
        p50_ms=figures["p50"] / 1000,
        p90_ms=figures["p90"] / 1000,
        p99_ms=figures["p99"] / 1000,
        p999_ms=figures["p999"] / 1000,
        cpu_us=cpu / figures["requests"] * 1e6 if cpu is not None and figures["requests"] else None,
    )
