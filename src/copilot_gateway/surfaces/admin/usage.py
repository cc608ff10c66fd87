"""The admin API's usage report: `copilot-gateway usage` over HTTP, read from the ledger's
database by `state.ledger.reports` (thin: bounds parsed, the report answered as asked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import Response

from ...call import Call
from ...errors import InvalidRequest
from ...state.database import reaching_the_database
from ...state.ledger.reports import moment_of, usage_csv, usage_report


async def getUsage(
    call: Call, group_by: str = "key", format: str = "json", **bounds: str
) -> Response:
    # `from` and `to` are Python keywords: they arrive by name in `bounds`.
    since, until = _bound(bounds, "from"), _bound(bounds, "to")
    rows = await _report(call, group_by, since, until)
    if format == "csv":
        call.answer_checked = True  # CSV is no JSON to check against the document
        return Response(usage_csv(rows, group_by), media_type="text/csv; charset=utf-8")
    report = {
        "object": "list",
        "group_by": group_by,
        "from": None if since is None else since.isoformat(),
        "to": None if until is None else until.isoformat(),
        "data": rows,
    }
    return call.answer("UsageReport", report)


@reaching_the_database
async def _report(
    call: Call, group_by: str, since: datetime | None, until: datetime | None
) -> list[dict[str, Any]]:
    engine = await call.gateway.database.ready()
    return await usage_report(engine, group_by, since, until)


def _bound(bounds: dict[str, str], name: str) -> datetime | None:
    text = bounds.get(name)
    if text is None:
        return None
    try:
        return moment_of(text)
    except ValueError as problem:
        raise InvalidRequest(str(problem), param=name) from None
