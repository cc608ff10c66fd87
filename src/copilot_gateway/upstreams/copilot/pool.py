"""Several Copilot accounts behind one upstream, by a rule an operator can state:

- a conversation stays on the account that started it: a request that sends back what only
  one account can read (thinking signatures, encrypted reasoning: what its endpoint names as
  its `continuation`), or names a session (Codex's `session-id`, Claude Code's session
  header: see `agents`) an account served, goes to that account, as long as the gateway
  remembers (an hour, in Redis when configured: see `affinity`);
- otherwise a free model (`costs_nothing`: no token price, no premium multiplier) goes
  round-robin over the accounts that serve it, and any other to the first of them in the
  configured order;
- an account whose session or weekly window, or month's credits, is spent (its latest
  header says so, or Copilot refused a call for it: see `windows`) rests until that window
  resets and is sent nothing meanwhile (spent credits stop only the models that are not
  free); a conversation tied to it moves to another account;
  when every account serving the model is out so, the client gets a 429 that names the
  window, with `retry-after` at the earliest reset, and Copilot is not asked;
- an account that answers another 429 beyond the retry budget, or whose GitHub token GitHub
  refuses to exchange, rests for `GATEWAY_ACCOUNT_COOLDOWN_SECONDS` (or Copilot's longer
  `retry-after`) and is tried last meanwhile; the request goes on to the next account,
  unseen; when every account is out, the client gets the last error;
- a model only some accounts' plans offer is served by those.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import TypeVar

from ...errors import (
    GatewayError,
    QuotaExhausted,
    RateLimited,
    TokenExchangeRefused,
    UpstreamUnavailable,
)
from ...observability.metrics import ACCOUNT_EVENTS
from ..agents import client_session
from ..base import CallRecord, Catalogue, Endpoint, EventStream, Json, ModelInfo
from .affinity import LocalAffinity
from .limits_spent import SPENT, all_spent
from .upstream import CopilotUpstream

T = TypeVar("T")
log = logging.getLogger(__name__)


def affinity_keys(endpoint: Endpoint, document: Json) -> list[str]:
    """What in a request (or an answer) ties it to one account, as the endpoint says."""
    if endpoint.continuation is None:
        return []
    return list(endpoint.continuation(document))


def session_keys(headers: Mapping[str, str] | None) -> list[str]:
    """The session the client said the request belongs to, as a key its next turns share
    (its prompt cache lives on the account that served it). Only a session the client
    named: two conversations that merely start alike are no reason to share an account."""
    session = client_session(headers or {})
    return [] if session is None else ["session:" + session]


def costs_nothing(info: ModelInfo) -> bool:
    """A free model: still served when the month's credits are spent. Its catalogue entry
    gives no token price and no premium multiplier (a priced model costs credits whatever
    its multiplier says: Copilot bills tokens since AI credits)."""
    return info.price is None and not info.premium_multiplier


def out_of_windows(members: list[CopilotUpstream], free: bool) -> GatewayError | None:
    """When every one of these accounts rests on a spent window: the 429 that says so."""
    rests = [rest for member in members if (rest := member.windows.resting(free)) is not None]
    if not members or len(rests) < len(members):
        return None
    return all_spent(rests, members[0].windows.clock())


def account_is_out(error: GatewayError) -> bool:
    """The account cannot serve for a while: it rests, and another one is tried."""
    return isinstance(error, QuotaExhausted | RateLimited | TokenExchangeRefused)


def worth_another_account(error: GatewayError) -> bool:
    """Another account may well succeed (Copilot's provider may be busy for this one only)."""
    return account_is_out(error) or isinstance(error, UpstreamUnavailable)


class CopilotPool:
    """The `Upstream` of several accounts (one is a pool of one)."""

    def __init__(
        self,
        members: list[CopilotUpstream],
        cooldown_seconds: float,
        affinity: LocalAffinity | None = None,
    ) -> None:
        self.members = members
        self.cooldown_seconds = cooldown_seconds
        self._resting_until: dict[str, float] = {}
        self._resting_because: dict[str, str] = {}  # the error code that put it to rest
        self._rested: set[str] = set()  # put to rest since it last served: said when it does
        # Accounts whose catalogue could not be had (their token exchange refused): not asked
        # again until their rest is over, so a refusing account costs no request a wait.
        self._uncatalogued: set[str] = set()
        self._turns = itertools.count()
        self.affinity = affinity or LocalAffinity()

    # The catalogue -----------------------------------------------------------------

    async def _catalogues(self) -> list[tuple[CopilotUpstream, Catalogue]]:
        found = []
        last: GatewayError | None = None
        now = time.monotonic()
        for member in self.members:
            if member.account in self._uncatalogued and self._resting_until[member.account] > now:
                continue
            try:
                catalogue = await member.models()
            except GatewayError as error:
                last = error  # an account without a catalogue serves nothing
                if account_is_out(error):
                    self._uncatalogued.add(member.account)
                    self._rest(member, error)
                continue
            self._uncatalogued.discard(member.account)
            found.append((member, catalogue))
        if not found and last is not None:
            raise last
        return found

    async def models(self) -> Catalogue:
        union: Catalogue = {}
        for _, catalogue in await self._catalogues():
            for model_id, info in catalogue.items():
                union.setdefault(model_id, info)
        return union

    # Routing -----------------------------------------------------------------------

    async def _serving(self, model: str) -> tuple[list[CopilotUpstream], bool]:
        """The accounts whose catalogue lists the model, and whether it is free."""
        serving = [(m, c[model]) for m, c in await self._catalogues() if model in c]
        return [m for m, _ in serving], not serving or costs_nothing(serving[0][1])

    async def _candidates(
        self, endpoint: Endpoint, body: Json, ties: list[str]
    ) -> list[CopilotUpstream]:
        """The accounts to try, best first (`ties`: the request's affinity keys)."""
        serving, free = await self._serving(str(body.get("model")))
        if not serving:
            return self.members[:1]  # let Copilot say what it says of an unknown model
        if (out := out_of_windows(serving, free)) is not None:
            raise out  # Copilot would refuse each: it is not asked
        usable = [m for m in serving if m.windows.resting(free) is None]
        now = time.monotonic()
        awake = [m for m in usable if self._resting_until.get(m.account, 0) <= now]
        resting = [m for m in usable if m not in awake]
        if len(awake) > 1 and (sticky := await self.affinity.recall(ties)):
            awake.sort(key=lambda m: m.account != sticky)
        elif awake and free:
            turn = next(self._turns) % len(awake)
            awake = awake[turn:] + awake[:turn]
        return awake + resting  # resting accounts last: better late than a certain refusal

    async def _remember(self, keys: list[str], account: str) -> None:
        if len(self.members) > 1:  # one account needs no memory of who served what
            await self.affinity.remember(keys, account)

    def _rest(self, member: CopilotUpstream, error: GatewayError) -> None:
        if isinstance(error, SPENT):
            member.windows.refused(error)
            ACCOUNT_EVENTS.labels(member.account, f"{error.window}_spent").inc()
            return
        if not account_is_out(error):
            return
        retry_after = error.headers.get("retry-after", "")
        seconds = max(self.cooldown_seconds, float(retry_after) if retry_after.isdigit() else 0)
        self._resting_until[member.account] = time.monotonic() + seconds
        self._resting_because[member.account] = error.code or type(error).__name__
        self._rested.add(member.account)
        ACCOUNT_EVENTS.labels(member.account, "cooldown").inc()
        log.warning(
            "Copilot account %r rests %.0f s: %s",
            member.account,
            seconds,
            self._resting_because[member.account],
        )

    def _served(self, member: CopilotUpstream) -> None:
        ACCOUNT_EVENTS.labels(member.account, "request").inc()
        if member.account in self._rested:
            self._rested.discard(member.account)
            log.info("Copilot account %r serves again", member.account)

    # Calls -------------------------------------------------------------------------

    async def _first_served(
        self,
        endpoint: Endpoint,
        body: Json,
        ties: list[str],
        send: Callable[[CopilotUpstream], Awaitable[T]],
    ) -> tuple[CopilotUpstream, T]:
        """`send` to the best account, then on to the next while one is out (see the rule)."""
        last: GatewayError | None = None
        candidates = await self._candidates(endpoint, body, ties)
        for member in candidates:
            if last is not None:
                ACCOUNT_EVENTS.labels(member.account, "failover").inc()
            try:
                answer = await send(member)
            except GatewayError as error:
                ACCOUNT_EVENTS.labels(member.account, "error").inc()
                if not worth_another_account(error):
                    raise
                self._rest(member, error)
                last = error
                continue
            self._served(member)
            return member, answer
        assert last is not None
        # Each refused for a window, or rests on one: say which, and when the first resets.
        serving, free = await self._serving(str(body.get("model")))
        raise out_of_windows(serving or candidates, free) or last

    async def call(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> Json:
        session = session_keys(headers)
        ties = affinity_keys(endpoint, body) + session
        member, answer = await self._first_served(
            endpoint, body, ties, lambda member: member.call(endpoint, body, record, headers)
        )
        await self._remember(affinity_keys(endpoint, answer) + session, member.account)
        return answer

    async def stream(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> EventStream:
        session = session_keys(headers)
        ties = affinity_keys(endpoint, body) + session
        member, events = await self._first_served(
            endpoint, body, ties, lambda member: member.stream(endpoint, body, record, headers)
        )
        await self._remember(session, member.account)
        if endpoint.continuation is None or len(self.members) == 1:
            return events
        return self._remembering(endpoint, events, member.account)

    async def _remembering(
        self, endpoint: Endpoint, events: EventStream, account: str
    ) -> AsyncGenerator[Json]:
        try:
            async for event in events:
                if keys := affinity_keys(endpoint, event):
                    await self._remember(keys, account)
                yield event
        finally:
            await events.aclose()

    async def quota_report(self) -> list[Json]:
        return [await member.quota_summary() for member in self.members]

    async def accounts_report(self) -> list[Json]:
        """The quota report's accounts, each with whether it is cooling down now (`cooling`:
        why, and the seconds left; None when it serves) and the models its plan offers."""
        now = time.monotonic()
        catalogues = {member.account: catalogue for member, catalogue in await self._catalogues()}
        report = []
        for member in self.members:
            cooling = None
            if (rest := member.windows.resting()) is not None:
                cooling = {
                    "why": f"{rest.window} window spent",
                    "seconds": rest.until - time.time(),
                }
            elif (until := self._resting_until.get(member.account, 0)) > now:
                why = self._resting_because.get(member.account, "refused")
                cooling = {"why": why, "seconds": until - now}
            models = sorted(catalogues.get(member.account, {}))
            report.append({**await member.quota_summary(), "cooling": cooling, "models": models})
        return report

    async def aclose(self) -> None:
        for member in self.members:
            await member.aclose()
        await self.affinity.aclose()
