"""Real `copilot-gateway serve` processes sharing one config file and one Redis, for the
tests of limits and budgets counted across processes."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from commands import clean_env, free_port, started


@contextmanager
def gateways(
    config: Path, redis_url: str, emulator_url: str, **env: str
) -> Iterator[list[tuple[str, subprocess.Popen[str]]]]:
    """Two `serve` processes on one emulator, with one config file and one Redis."""
    with ExitStack() as stack:
        served = []
        for _ in range(2):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            # Their stores in the test's directory, never the user's (shared by every run).
            stores = config.parent / f"stores-{port}"
            environment = clean_env(
                GATEWAY_RESPONSES_DB=str(stores / "responses.sqlite3"),
                GATEWAY_LEDGER_DB=str(stores / "ledger.sqlite3"),
                GATEWAY_CONFIG_FILE=str(config),
                GATEWAY_REDIS_URL=redis_url,
                GITHUB_TOKEN="gho_test",
                GATEWAY_GITHUB_API_URL=emulator_url,
                **env,
            )
            command = ["serve", "--port", str(port)]
            served.append(
                (url, stack.enter_context(started(command, environment, f"{url}/healthz")))
            )
        yield served
