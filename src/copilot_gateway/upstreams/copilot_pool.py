"""Several Copilot accounts behind one upstream, by a rule an operator can state:

- a conversation stays on the account that started it: a request that continues one
  (`previous_response_id`; thinking signatures or encrypted reasoning it sends back) goes to
  the account that answered it, as long as the gateway remembers (an hour, in-process);
- otherwise a model that costs no premium requests goes round-robin over the accounts that
  serve it, and a premium model to the first of them in the configured order;
- an account that answers 402 (quota), 429 beyond the retry budget, or whose GitHub token
  GitHub refuses to exchange, rests for `GATEWAY_ACCOUNT_COOLDOWN_SECONDS` (or Copilot's longer
  `retry-after`), and the request goes on to the next account, unseen; when every account
  is out, the client gets the last error;
- a model only some accounts' plans offer is served by those.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from ..errors import GatewayError, QuotaExhausted, RateLimited, UpstreamUnavailable
from ..observability.metrics import ACCOUNT_EVENTS
from .base import MESSAGES, RESPONSES, Catalogue, Json
from .copilot import CopilotUpstream

T = TypeVar("T")
AFFINITY_SECONDS = 3600
AFFINITY_ENTRIES = 100_000
EXCHANGE_REFUSED = "copilot_token_exchange_failed"
# Endpoints whose answers a later request continues (chat sends its whole history each time).
CONVERSATIONAL = frozenset({RESPONSES, MESSAGES})


def conversation_keys(body: Json) -> list[str]:
    """What ties a request to an earlier answer of one account."""
    keys = []
    if isinstance(body.get("previous_response_id"), str):
        keys.append("response:" + body["previous_response_id"])
    keys += ["signature:" + value for value in _values(body, ("signature", "encrypted_content"))]
    return keys


def answer_keys(answer: Json) -> list[str]:
    """What a later request may send back to continue this answer."""
    keys = []
    if isinstance(answer.get("id"), str) and answer.get("object") == "response":
        keys.append("response:" + answer["id"])
    keys += ["signature:" + value for value in _values(answer, ("signature", "encrypted_content"))]
    return keys


def _values(node: Any, names: tuple[str, ...]) -> Iterable[str]:
    """Every string under one of these keys, anywhere in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in names and isinstance(value, str) and value:
                yield value[-64:]  # their tails are unique enough, and keep memory small
            else:
                yield from _values(value, names)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item, names)


def account_is_out(error: GatewayError) -> bool:
    """The account cannot serve for a while: it rests, and another one is tried."""
    return isinstance(error, QuotaExhausted | RateLimited) or error.code == EXCHANGE_REFUSED


def worth_another_account(error: GatewayError) -> bool:
    """Another account may well succeed (Copilot's provider may be busy for this one only)."""
    return account_is_out(error) or isinstance(error, UpstreamUnavailable)


class CopilotPool:
    """The `Upstream` of several accounts (one is a pool of one)."""

    def __init__(self, members: list[CopilotUpstream], cooldown_seconds: float) -> None:
        self.members = members
        self.cooldown_seconds = cooldown_seconds
        self._resting_until: dict[str, float] = {}
        self._turns = itertools.count()
        self._affinity: OrderedDict[str, tuple[str, float]] = OrderedDict()

    # The catalogue -----------------------------------------------------------------

    async def _catalogues(self) -> list[tuple[CopilotUpstream, Catalogue]]:
        found = []
        last: GatewayError | None = None
        for member in self.members:
            try:
                found.append((member, await member.models()))
            except GatewayError as error:
                last = error  # an account without a catalogue serves nothing
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

    async def _candidates(self, body: Json) -> list[CopilotUpstream]:
        """The accounts to try, best first."""
        model = str(body.get("model"))
        serving = [(m, c[model]) for m, c in await self._catalogues() if model in c]
        if not serving:
            return self.members[:1]  # let Copilot say what it says of an unknown model
        now = time.monotonic()
        awake = [m for m, _ in serving if self._resting_until.get(m.account, 0) <= now]
        resting = [m for m, _ in serving if m not in awake]
        if sticky := self._remembered(body):
            awake.sort(key=lambda m: m.account != sticky)
        elif awake and not serving[0][1].premium_multiplier:
            turn = next(self._turns) % len(awake)
            awake = awake[turn:] + awake[:turn]
        return awake + resting  # resting accounts last: better late than a certain refusal

    def _remembered(self, body: Json) -> str | None:
        now = time.monotonic()
        for key in conversation_keys(body):
            if (entry := self._affinity.get(key)) and entry[1] > now:
                return entry[0]
        return None

    def _remember(self, answer: Json, account: str) -> None:
        until = time.monotonic() + AFFINITY_SECONDS
        for key in answer_keys(answer):
            self._affinity[key] = (account, until)
            self._affinity.move_to_end(key)
        while len(self._affinity) > AFFINITY_ENTRIES:
            self._affinity.popitem(last=False)

    def _rest(self, member: CopilotUpstream, error: GatewayError) -> None:
        if not account_is_out(error):
            return
        retry_after = error.headers.get("retry-after", "")
        seconds = max(self.cooldown_seconds, float(retry_after) if retry_after.isdigit() else 0)
        self._resting_until[member.account] = time.monotonic() + seconds
        ACCOUNT_EVENTS.labels(member.account, "cooldown").inc()

    # Calls -------------------------------------------------------------------------

    async def _first_served(
        self, body: Json, send: Callable[[CopilotUpstream], Awaitable[T]]
    ) -> tuple[CopilotUpstream, T]:
        """`send` to the best account, then on to the next while one is out (see the rule)."""
        last: GatewayError | None = None
        for member in await self._candidates(body):
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
            ACCOUNT_EVENTS.labels(member.account, "request").inc()
            return member, answer
        assert last is not None
        raise last

    async def call(
        self, endpoint: str, body: Json, headers: Mapping[str, str] | None = None
    ) -> Json:
        member, answer = await self._first_served(
            body, lambda member: member.call(endpoint, body, headers)
        )
        if endpoint in CONVERSATIONAL:
            self._remember(answer, member.account)
        return answer

    async def stream(
        self, endpoint: str, body: Json, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[Json]:
        member, events = await self._first_served(
            body, lambda member: member.stream(endpoint, body, headers)
        )
        if endpoint in CONVERSATIONAL:
            return self._remembering(events, member.account)
        return events

    async def _remembering(self, events: AsyncIterator[Json], account: str) -> AsyncIterator[Json]:
        async for event in events:
            self._remember(event, account)
            yield event

    async def quota_report(self) -> list[Json]:
        return [await member.quota_report() for member in self.members]

    async def aclose(self) -> None:
        for member in self.members:
            await member.aclose()
