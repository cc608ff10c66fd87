"""Premium requests: what a call Copilot accepted costs the account, counted as it is made.

A call costs its model's multiplier when the user made it (`X-Initiator: user`); an agent's
turns (tool results, follow-ups) and models that are not premium cost nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ...observability.metrics import PREMIUM_REQUESTS
from ..base import Catalogue, Endpoint, Json


async def count_premium(
    account: str, catalogue: Callable[[], Awaitable[Catalogue]], endpoint: Endpoint, body: Json
) -> None:
    """Count what this accepted call cost (the catalogue is read only for a user's call)."""
    if not endpoint.user_initiated(body):
        return
    info = (await catalogue()).get(str(body.get("model")))
    if info is not None and info.premium_multiplier:
        PREMIUM_REQUESTS.labels(account, info.id).inc(info.premium_multiplier)
