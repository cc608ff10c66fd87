"""Where a gateway process's memory goes, step by step in a fresh interpreter: the
libraries, the gateway's own modules, the spec documents, their compiled validators, the
app connexion builds over them, the vocabulary. Printed as JSON: each step's name and the
process's RSS (MiB) after it, garbage collected.

Run in a fresh interpreter of whichever install is measured:

    PYTHONPATH=scripts python -m benchlib.memory_steps
"""

from __future__ import annotations

import gc
import importlib
import json
import subprocess
from pathlib import Path

LIBRARIES = (
    "connexion",
    "uvicorn",
    "httpx",
    "aiohttp",
    "sqlalchemy.ext.asyncio",
    "aiosqlite",
    "alembic.command",
    "jinja2",
    "pydantic",
    "redis.asyncio",
    "prometheus_client",
    "jsonschema_rs",
    "toktok",
)
DOCUMENTS = ("openai.yaml", "anthropic.yaml", "gemini.yaml", "admin.yaml")


def rss_mib() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    steps = [("the interpreter", rss_mib())]
    for name in LIBRARIES:
        importlib.import_module(name)
    steps.append(("the libraries (connexion, uvicorn, httpx, aiohttp, SQLAlchemy, ...)", rss_mib()))
    from . import internals

    importlib.import_module("copilot_gateway.app")
    steps.append(("the gateway's own modules", rss_mib()))
    documents = importlib.import_module("copilot_gateway.spec.documents")
    schemas = importlib.import_module("copilot_gateway.spec.schemas")
    for document in DOCUMENTS:
        documents.load_spec(document)
    steps.append(("the spec documents, parsed", rss_mib()))
    for document in DOCUMENTS[:3]:
        schemas.compile_operations(document)
    steps.append(("their validators, compiled", rss_mib()))
    internals.build(internals.settings(api_keys="k"))
    steps.append(("the app built over them (connexion's resolved copies, routes)", rss_mib()))
    importlib.import_module("copilot_gateway.tokens").warm()
    steps.append(("the o200k vocabulary", rss_mib()))
    print(json.dumps(steps))


def steps(python: str) -> list[tuple[str, float]]:
    """The steps, measured in a process of its own of the gateway installed for `python`."""
    from .servers import bench_env

    command = [python, "-m", "benchlib.memory_steps"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=bench_env())
    return [(str(name), float(mib)) for name, mib in json.loads(done.stdout.splitlines()[-1])]


if __name__ == "__main__":
    main()
