"""GET /healthz: the process is up. Answers without a key and without asking upstream."""

from __future__ import annotations

from starlette.responses import Response

from ..service import json_response


async def getHealth() -> Response:
    return json_response({"status": "ok"})
