"""One agent CLI run against the gateway on the emulator, all in a network namespace of
their own with only loopback, where nothing outside can be reached and every try is seen.

    python agent_session.py RUN.json   # prints {"rc", "stdout", "stderr", "requests",
                                       #   "upstream", "models", "lookups", "connections"}

RUN.json: {"argv", "env", "files" (path under the run's home: text), "before" (setup
commands, each to succeed first), "timeout"}. The CLI runs in a fresh home, which is also
its working directory. "upstream" has, of each call Copilot got, the headers the tests
read. `isolated()` is the namespace prefix that runs this script (root: `unshare --net
--mount`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for servers
sys.path.insert(0, str(Path(__file__).resolve().parent))

from agent_setups import GATEWAY_PORT, KEY
from outside_traffic import resolves_nothing, watched

import client_requests
from servers import CopilotEmulator, gateway_app, gateway_settings, running

# Loopback up, and the system resolver pointed at the stub on it ($0: that resolv.conf).
NAMESPACE_SETUP = 'ip link set lo up && mount --bind "$0" /etc/resolv.conf && exec "$@"'
RESOLV_CONF = "nameserver 127.0.0.1\noptions attempts:1 timeout:1\n"
# What the tests read of each call Copilot got: who it came from, the person's turn ("user")
# or a tool's result sent back ("agent"), as the gateway tells Copilot; the betas passed on;
# the interaction the calls make.
UPSTREAM_HEADERS = ("x-initiator", "anthropic-beta", "x-interaction-type", "x-interaction-id")


class RecordedRequests:
    """ASGI middleware noting each HTTP request's method, path and answer status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.seen, self.lock = app, list[dict[str, object]](), threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry: dict[str, object] = {"method": scope["method"], "path": scope["path"]}
        with self.lock:
            self.seen.append(entry)

        async def noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        await self.app(scope, receive, noting_status)


def isolated(resolv_conf: Path) -> list[str]:
    """The prefix that runs a command in a namespace of its own with only loopback and the
    stub as its resolver (`resolv_conf` written here)."""
    resolv_conf.write_text(RESOLV_CONF)
    return ["unshare", "--net", "--mount", "sh", "-c", NAMESPACE_SETUP, str(resolv_conf)]


def main() -> None:
    run = json.loads(Path(sys.argv[1]).read_text())
    emulator = CopilotEmulator()
    with (
        watched() as traffic,
        running(emulator.app) as emulator_url,
        # A CLI's background process may still be writing there as it ends.
        tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as home,
    ):
        if not resolves_nothing():
            raise SystemExit("the namespace's resolver is not the stub")
        traffic.lookups.clear()
        app = gateway_app(gateway_settings(emulator_url, api_keys=KEY))
        if client_requests.RECORDING:
            app = client_requests.recording(app)
        gateway = RecordedRequests(app)
        with running(gateway, port=GATEWAY_PORT):
            for name, text in run["files"].items():
                path = Path(home) / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": home,
                "TERM": "dumb",
                **run["env"],
            }

            def ran(argv: list[str], check: bool) -> subprocess.CompletedProcess[str]:
                return subprocess.run(
                    argv,
                    env=env,
                    cwd=home,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=run["timeout"],
                    check=check,
                )

            for argv in run.get("before", []):  # its setup commands, each to succeed
                ran(argv, check=True)
            result = ran(run["argv"], check=False)
        upstream = [
            {name: headers.get(name) for name in UPSTREAM_HEADERS}
            for headers in emulator.state.seen_headers
            if "x-initiator" in headers  # a model call (not a token exchange or /models)
        ]
        # The models Copilot was asked for: its chat calls, then its Messages calls.
        bodies = [*emulator.state.chat_requests, *emulator.state.messages_requests]
        models = [body["model"] for body in bodies]
    if client_requests.RECORDING:
        client_requests.write()  # the bodies this CLI sent, as the suite records them
    print(
        json.dumps(
            {
                "rc": result.returncode,
                "stdout": result.stdout,
                "stderr": result.stderr,
                "requests": gateway.seen,
                "upstream": upstream,
                "models": models,
                "lookups": traffic.lookups,
                "connections": traffic.connections,
            }
        )
    )


if __name__ == "__main__":
    main()
