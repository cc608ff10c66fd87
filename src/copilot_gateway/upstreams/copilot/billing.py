"""How an account is billed: in AI credits (Copilot's billing since 2026-06-01:
`token_based_billing: true` in `copilot_internal/user`) or still in premium requests
(`false`), read once and kept for an hour.

It is read off the request path: GitHub's `copilot_internal/user` may be slow (and is
retried), and no answer waits on it. What needs the kind (`when_known`) gets it at once when
it is known; otherwise a fetch starts in the background (one, however many wait) and each
waiting count is made when it ends.

Unknown counts as premium requests: an answer without the field is one from before AI
credits (its body is the premium-request one), and while GitHub does not answer at all
(asked again a minute later) the premium-request counter is the one that may still apply;
counting a call an account is not billed for is the smaller mistake than missing one it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ...errors import GatewayError

CREDITS = "credits"
PREMIUM_REQUESTS = "premium_requests"
KNOWN_SECONDS = 3600  # a plan's billing changes rarely
UNKNOWN_SECONDS = 60  # GitHub did not say: ask again soon

log = logging.getLogger(__name__)


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
    """One account's billing kind, fetched in the background (see the module)."""

    def __init__(self, user_info: Callable[[], Awaitable[Any]]) -> None:
        self._user_info = user_info
        self._kind: str | None = None
        self._deadline = 0.0  # time.monotonic() until which `_kind` holds
        self._fetching: asyncio.Task[str] | None = None
        self._waiting: list[Callable[[str], None]] = []

    def known(self) -> str | None:
        """The kind, if it was read and is still fresh; None otherwise (nothing is fetched)."""
        return self._kind if time.monotonic() < self._deadline else None

    def when_known(self, then: Callable[[str], None]) -> None:
        """`then(kind)` now if the kind is known, else once the background fetch has read it;
        the caller never waits."""
        if (kind := self.known()) is not None:
            then(kind)
            return
        self._waiting.append(then)
        self._fetch_in_background()

    async def kind(self) -> str:
        """The kind, fetched if need be (for a caller that may wait: a report, a test)."""
        if (kind := self.known()) is not None:
            return kind
        return await asyncio.shield(self._fetch_in_background())

    def _fetch_in_background(self) -> asyncio.Task[str]:
        if self._fetching is None:
            self._fetching = asyncio.get_running_loop().create_task(self._fetch())
        return self._fetching

    async def _fetch(self) -> str:
        kind, lifetime = PREMIUM_REQUESTS, UNKNOWN_SECONDS
        try:
            kind, lifetime = billing_kind(await self._user_info()), KNOWN_SECONDS
        except GatewayError:
            pass  # GitHub did not answer: unknown (see the module)
        except Exception:  # a count waits on this: it is made, whatever went wrong
            log.exception("reading the account's billing failed")
        finally:
            self._fetching = None
        self._kind, self._deadline = kind, time.monotonic() + lifetime
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then(kind)
        return kind

    async def aclose(self) -> None:
        """Stop a fetch under way: the counts still waiting end with the process's counters."""
        if (fetching := self._fetching) is not None:
            fetching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetching
        self._waiting.clear()
