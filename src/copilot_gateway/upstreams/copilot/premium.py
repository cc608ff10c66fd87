"""Premium requests: what a call Copilot accepted costs an account still billed in them
(see `billing`), counted as it is made. Accounts billed in AI credits count credits instead
(`credits`).

A call costs its model's multiplier when it went as the user's (`X-Initiator: user`, as
`agents.call_kind` decides); an agent's turns (tool results, follow-ups, its subagents and
compactions) and models that are not premium cost nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ...observability.metrics import PREMIUM_REQUESTS
from ..base import Catalogue


async def count_premium(
    account: str,
    catalogue: Callable[[], Awaitable[Catalogue]],
    model: str,
    users_turn: bool,
    billed_in_premium_requests: Callable[[], Awaitable[bool]],
) -> None:
    """Count what this accepted call cost (the catalogue and the billing are read only for a
    user's call on a premium model)."""
    if not users_turn:
        return
    info = (await catalogue()).get(model)
    if info is None or not info.premium_multiplier:
        return
    if await billed_in_premium_requests():
        PREMIUM_REQUESTS.labels(account, info.id).inc(info.premium_multiplier)
