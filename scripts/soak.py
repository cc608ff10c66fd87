"""copilot-gateway's soak run: many clients for a long time, then errors and memory growth.

Half the clients stream chat completions, half make plain ones, against a gateway whose
upstream is the emulator (separate processes on loopback), for the time given. Reports the
requests completed, the errors (there must be none), and the gateway's memory after the
warm-up and at the end (growth must stay under 5%).

    scripts/soak [--clients 32] [--minutes 10] [--output benchmarks/soak.md]

With `--replicas 2`, two gateways on one PostgreSQL and Redis instead, each restarted once
mid-run: no request may be lost, no conversation broken (`benchlib.replicas`). Each run
rewrites its own section of the output.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from benchlib.aio import run
from benchlib.loads import GATEWAY_HEADERS, chat_body
from benchlib.procs import rss_kib
from benchlib.replicas import HEADING, soak_replicas, with_section
from benchlib.servers import KEY, ServerSpec, servers

ROOT = Path(__file__).resolve().parent.parent
GATEWAY = (sys.executable, "-m", "copilot_gateway")


def current_commit() -> str:
    git = ["git", "rev-parse", "--short", "HEAD"]
    return subprocess.run(git, capture_output=True, text=True, cwd=ROOT).stdout.strip()


async def client(
    session: aiohttp.ClientSession,
    url: str,
    stream: bool,
    until: float,
    tally: dict[str, int],
) -> None:
    body = chat_body(2048, stream=stream)
    while time.monotonic() < until:
        try:
            async with session.post(
                url + "/v1/chat/completions", data=body, headers=GATEWAY_HEADERS
            ) as response:
                payload = await response.read()
            complete = response.status == 200 and (
                not stream or payload.endswith(b"data: [DONE]\n\n")
            )
        except aiohttp.ClientError:
            complete = False
        tally["requests" if complete else "errors"] += 1


async def soak(clients: int, seconds: float, warmup: float) -> list[str]:
    pacing = {"GATEWAY_EMULATOR_TOKEN_INTERVAL_MS": "2"}
    with servers({"emulator": ServerSpec((*GATEWAY, "emulator"), pacing)}) as upstream:
        settings = {
            "GITHUB_TOKEN": "gho_bench",
            "GATEWAY_GITHUB_API_URL": upstream["emulator"].url,
            "GATEWAY_API_KEYS": KEY,
        }
        with servers({"gateway": ServerSpec((*GATEWAY, "serve"), settings)}) as started:
            url, pid = started["gateway"].url, started["gateway"].pid
            tally = {"requests": 0, "errors": 0}
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as session:
                began = time.monotonic()
                until = began + warmup + seconds
                tasks = [
                    asyncio.create_task(client(session, url, i % 2 == 0, until, tally))
                    for i in range(clients)
                ]
                await asyncio.sleep(warmup)
                after_warmup, counted_from = rss_kib(pid), dict(tally)
                samples = [after_warmup]
                while time.monotonic() < until:
                    await asyncio.sleep(min(30.0, max(until - time.monotonic(), 0.0)))
                    samples.append(rss_kib(pid))
                await asyncio.gather(*tasks)
            end = rss_kib(pid)
    requests = tally["requests"] - counted_from["requests"]
    growth = (end - after_warmup) / after_warmup
    commit = current_commit()
    return [
        "# Soak results",
        "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; commit {commit}",
        f"- {clients} clients (half streaming, half not), 2 KB chats, {warmup:.0f} s warm-up, "
        f"then {seconds / 60:g} min measured; emulator pacing 2 ms between chunks",
        "",
        "| requests completed | errors | gateway memory after warm-up | at the end | growth |",
        "| --- | --- | --- | --- | --- |",
        f"| {requests:,} | {tally['errors']} | {after_warmup / 1024:.1f} MiB "
        f"| {end / 1024:.1f} MiB | {growth:+.1%} |",
        "",
        "Memory samples (MiB, every 30 s): " + ", ".join(f"{s / 1024:.1f}" for s in samples),
        "",
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--warmup", type=float, default=60, help="seconds before memory is measured"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "soak.md")
    parser.add_argument("--replicas", type=int, choices=(1, 2), default=1)
    arguments = parser.parse_args()
    output: Path = arguments.output
    output.parent.mkdir(parents=True, exist_ok=True)
    earlier = output.read_text() if output.exists() else "# Soak results\n"
    if arguments.replicas == 2:
        section, failed = soak_replicas(arguments.clients, arguments.minutes * 60)
        output.write_text(with_section(earlier, section))
        print("\n".join(section))
        sys.exit(1 if failed else 0)
    report = run(lambda: soak(arguments.clients, arguments.minutes * 60, arguments.warmup))
    replicas_section = earlier[earlier.index(HEADING) :] if HEADING in earlier else ""
    output.write_text("\n".join(report) + ("\n" + replicas_section if replicas_section else ""))
    print("\n".join(report))
    sys.exit(0)
