"""How an account is billed: in AI credits (Copilot's billing since 2026-06-01:
`token_based_billing: true` in `copilot_internal/user`) or still in premium requests
(`false`), read once and kept for an hour.

Unknown counts as premium requests: an answer without the field is one from before AI
credits (its body is the premium-request one), and while GitHub does not answer at all
(asked again a minute later) the premium-request counter is the one that may still apply;
counting a call an account is not billed for is the smaller mistake than missing one it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ...errors import GatewayError
from ..cache import Refreshing

CREDITS = "credits"
PREMIUM_REQUESTS = "premium_requests"
KNOWN_SECONDS = 3600  # a plan's billing changes rarely
UNKNOWN_SECONDS = 60  # GitHub did not say: ask again soon


def billing_kind(user: Any) -> str:
    """`credits` or `premium_requests`, from a `copilot_internal/user` answer."""
    if not isinstance(user, dict):
        return PREMIUM_REQUESTS
    flag = user.get("token_based_billing")
    if flag is None:  # some answers say it on the quota itself only
        snapshots = user.get("quota_snapshots")
        premium = snapshots.get("premium_interactions") if isinstance(snapshots, dict) else None
        flag = premium.get("token_based_billing") if isinstance(premium, dict) else None
    return CREDITS if flag is True else PREMIUM_REQUESTS


class Billing:
    """One account's billing kind, fetched once (see the module)."""

    def __init__(self, user_info: Callable[[], Awaitable[Any]]) -> None:
        self._user_info = user_info
        self._kind = Refreshing(self._fetch)

    async def _fetch(self) -> tuple[str, float]:
        try:
            return billing_kind(await self._user_info()), KNOWN_SECONDS
        except GatewayError:
            return PREMIUM_REQUESTS, UNKNOWN_SECONDS

    async def kind(self) -> str:
        return await self._kind.get()

    async def in_premium_requests(self) -> bool:
        return await self.kind() == PREMIUM_REQUESTS
