"""`GET /quota`: the upstream's quota per account, as JSON for dashboards.

{"object": "list", "data": [{"account", "plan",
  "billing": "credits" | "premium_requests", "token_based_billing": true | false | null,
  "credits": {"entitlement", "used", "left"} | null (accounts billed in premium requests),
  "quota_reset_date",
  "quotas": {"premium_interactions": {"entitlement", "remaining", "percent_remaining",
             "unlimited", "overage_count", "overage_permitted", "credits_used"}, ...},
  "latest_snapshots": {"premium_interactions": {"entitlement", "overage",
             "overage_permitted", "percent_remaining", "reset", "total_remaining"}, ...},
  "windows": {"session" | "weekly": {"percent_remaining", "reset", "spent_until"?},
              "credits": {"spent_until"}?}}]}

`windows` are as Copilot's latest answer to this gateway gave them (none before a call).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..errors import NotFound
from .metrics import Endpoint


@runtime_checkable
class QuotaSource(Protocol):
    async def quota_report(self) -> list[dict[str, Any]]: ...


def quota_endpoint(upstream: object) -> Endpoint:
    async def quota(request: Request) -> Response:
        if not isinstance(upstream, QuotaSource):
            raise NotFound("This gateway's upstream reports no quota.", code="quota_not_reported")
        report = {"object": "list", "data": await upstream.quota_report()}
        return Response(orjson.dumps(report), media_type="application/json")

    return quota
