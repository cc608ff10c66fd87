"""GET /healthz: the process is up. Answers without a key and without asking upstream."""

from __future__ import annotations

from starlette.responses import Response

from ...call import Call


async def getHealth(call: Call) -> Response:
    return call.answer("HealthResponse", {"status": "ok"})
