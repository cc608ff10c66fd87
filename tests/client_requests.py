"""The request bodies the tested clients send, recorded from the suite's gateways.

With `RECORD_CLIENT_REQUESTS=1` every in-process gateway a test serves (see
`servers.serving`) records each JSON body it accepted, with the client that sent it (its
User-Agent's first word) and the operation; at the session's end the new ones are merged
into `tests/spec/client_requests.json`, one body per client, operation and shape (the set
of key paths it holds). `tests/spec/test_client_requests.py` replays them all through the
spec's request validation: a relaxation that regresses refuses what a real client sends.

    RECORD_CLIENT_REQUESTS=1 pytest -p no:xdist tests/e2e tests/clients
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

RECORDED = Path(__file__).parent / "spec" / "client_requests.json"
RECORDING = os.environ.get("RECORD_CLIENT_REQUESTS") == "1"

_recorded: list[dict[str, Any]] = []


def shape(value: Any, prefix: str = "") -> list[str]:
    """The key paths a JSON value holds (list items as `[]`), with each leaf's type."""
    if isinstance(value, dict):
        return sorted({p for key, item in value.items() for p in shape(item, f"{prefix}.{key}")})
    if isinstance(value, list):
        return sorted({p for item in value for p in shape(item, f"{prefix}[]")})
    return [f"{prefix}:{type(value).__name__}"]


def client_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The User-Agent's product, without versions: `OpenAI/Python`, `ai-sdk/openai`."""
    agent = dict(headers).get(b"user-agent", b"").decode(errors="replace")
    product = agent.split(" ")[0]
    return "/".join(part for part in product.split("/") if not part[:1].isdigit()) or "unknown"


def recording(app: ASGIApp) -> ASGIApp:
    """app, recording each JSON body it answers with a 2xx."""

    async def recorder(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []
        status: list[int] = []

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await app(scope, receiving, sending)
        try:
            body = json.loads(b"".join(chunks))
        except ValueError:
            return
        if status and 200 <= status[0] < 300 and isinstance(body, dict):
            entry = {"client": client_of(scope["headers"]), "path": scope["path"], "body": body}
            _recorded.append(entry)

    return recorder


def key(entry: dict[str, Any]) -> tuple[str, str, str]:
    return entry["client"], entry["path"], "\n".join(shape(entry["body"]))


def write() -> None:
    """Merge this session's bodies into the recorded ones (one per client, path, shape)."""
    if not _recorded:
        return
    entries = json.loads(RECORDED.read_text()) if RECORDED.exists() else []
    merged = {key(entry): entry for entry in entries}
    for entry in _recorded:
        merged.setdefault(key(entry), entry)
    ordered = sorted(merged.values(), key=lambda e: (e["client"], e["path"]))
    RECORDED.write_text(json.dumps(ordered, indent=1, sort_keys=True) + "\n")
