"""Copilot's client-version gate: HTTP 466 for a client it no longer supports (reference §3).

Which header Copilot checks is not proven (its text names the API version; users fixed it
by pinning the editor versions), so the emulator checks both: an `X-GitHub-Api-Version`
older than `EmulatorConfig.min_api_version`, or an `Editor-Plugin-Version` older than
`min_plugin_version` for the same plugin (`copilot-chat/0.37.4` against
`copilot-chat/0.40.0`; another plugin's name is not compared). A request that sends neither
header is not refused: the gate is about stale clients, not absent ones.
"""

from __future__ import annotations

import re
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response

from .wire import json_response

UNSUPPORTED = (
    "bad request: the specified API version is no longer supported. "
    "You may need to update your client to a newer version.\n"
)
CLIENT_NOT_SUPPORTED = 466


class Minimums(Protocol):
    min_api_version: str
    min_plugin_version: str


def version_key(version: str) -> tuple[int, ...]:
    """`0.40.0` as (0, 40, 0); what is not a number counts as 0."""
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.\-+]", version))


def plugin_too_old(sent: str, minimum: str) -> bool:
    name, _, version = sent.partition("/")
    least_name, _, least = minimum.partition("/")
    if name.strip().lower() != least_name.strip().lower() or not version:
        return False
    return version_key(version.strip()) < version_key(least.strip())


def client_too_old(minimums: Minimums, request: Request) -> Response | None:
    """Copilot's 466, with its body, for a stale client; None for a current one."""
    api_version = request.headers.get("x-github-api-version")
    plugin = request.headers.get("editor-plugin-version")
    stale = (api_version is not None and api_version.strip() < minimums.min_api_version) or (
        plugin is not None and plugin_too_old(plugin, minimums.min_plugin_version)
    )
    if not stale:
        return None
    body = {"error": {"message": UNSUPPORTED, "type": "error"}}
    return json_response(body, CLIENT_NOT_SUPPORTED, "text/plain; charset=utf-8")
