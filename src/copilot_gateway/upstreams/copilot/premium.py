"""Premium requests: what a call Copilot accepted costs an account still billed in them
(see `billing`), counted as it is made. Accounts billed in AI credits count credits instead
(`credits`).

A call costs its model's multiplier when it went as the user's (`X-Initiator: user`, as
`agents.call_kind` decides); an agent's turns (tool results, follow-ups, its subagents and
compactions) and models that are not premium cost nothing. The count waits for the
account's billing kind, never the answer: `Billing.when_known` makes it once it is read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ...observability.metrics import PREMIUM_REQUESTS
from ..base import Catalogue
from .billing import PREMIUM_REQUESTS as BILLED_IN_PREMIUM_REQUESTS
from .billing import Billing


async def count_premium(
    account: str,
    catalogue: Callable[[], Awaitable[Catalogue]],
    model: str,
    users_turn: bool,
    billing: Billing,
) -> None:
    """Count what this accepted call cost (the catalogue, which the call was just checked
    against and so is cached, is read only for a user's call; the billing kind is not
    waited for)."""
    if not users_turn:
        return
    info = (await catalogue()).get(model)
    if info is None or not info.premium_multiplier:
        return
    model_id, multiplier = info.id, info.premium_multiplier

    def count(kind: str) -> None:
        if kind == BILLED_IN_PREMIUM_REQUESTS:
            PREMIUM_REQUESTS.labels(account, model_id).inc(multiplier)

    billing.when_known(count)
