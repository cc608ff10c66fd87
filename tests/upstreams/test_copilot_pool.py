"""The pool's rules, in-process against the emulator: which errors rest an account (by
class), and which requests stay on the account that answered what they continue (as their
endpoint's `continuation` says). Spread, failover and plans over real HTTP are in
`test_copilot_accounts`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.errors import (
    GatewayError,
    QuotaExhausted,
    RateLimited,
    TokenExchangeRefused,
    UpstreamFailed,
    UpstreamUnavailable,
)
from copilot_gateway.observability.metrics import REDIS_ERRORS
from copilot_gateway.surfaces.anthropic.endpoints import COUNT_TOKENS, MESSAGES
from copilot_gateway.surfaces.openai.endpoints import CHAT, RESPONSES
from copilot_gateway.upstreams.base import Json
from copilot_gateway.upstreams.copilot.affinity import RedisAffinity
from copilot_gateway.upstreams.copilot.pool import (
    CopilotPool,
    account_is_out,
    worth_another_account,
)
from emulated_copilot import drained, record, run
from emulated_copilot import pool_on as accounts_on
from emulated_copilot import served_by as account_served
from redis_server import RedisServer, running_redis

TOKENS = {"a": "gho_account_a", "b": "gho_account_b"}


@pytest.mark.parametrize(
    ("error", "out", "another"),
    [
        (QuotaExhausted("spent"), True, True),
        (RateLimited("slow down"), True, True),
        (TokenExchangeRefused("no token"), True, True),
        (UpstreamUnavailable("busy"), False, True),
        # A code alone makes no kind: only the class says the exchange was refused.
        (UpstreamFailed("x", code="copilot_token_exchange_failed"), False, False),
        (GatewayError("bad request", status=400), False, False),
    ],
)
def test_an_account_is_out_by_the_class_of_its_error(
    error: GatewayError, out: bool, another: bool
) -> None:
    assert (account_is_out(error), worth_another_account(error)) == (out, another)


def pool_on(emulator: CopilotEmulator) -> CopilotPool:
    return accounts_on(emulator, TOKENS)


def served_by(emulator: CopilotEmulator) -> str:
    return account_served(emulator, TOKENS)


def test_a_continued_conversation_stays_on_its_account_and_chat_goes_round(
    emulator: CopilotEmulator,
) -> None:
    """gpt-5-mini costs no premium requests, so new requests go round-robin; its answers on
    /responses carry encrypted reasoning, which ties the request sending it back."""
    first: Json = {"model": "gpt-5-mini", "input": [{"role": "user", "content": "Plan a trip"}]}

    async def conversation(pool: CopilotPool) -> tuple[str, list[str], list[str]]:
        try:
            answer = await pool.call(RESPONSES, first, record())
            started_on = served_by(emulator)
            more = [*first["input"], *answer["output"], {"role": "user", "content": "And?"}]
            stayed = []
            for stream in (False, True, False):
                body = {"model": "gpt-5-mini", "input": more, "stream": stream}
                if stream:
                    await drained(await pool.stream(RESPONSES, body, record()))
                else:
                    await pool.call(RESPONSES, body, record())
                stayed.append(served_by(emulator))
            chat = {"model": "gpt-5-mini", "messages": [{"role": "user", "content": "hi"}]}
            spread = []
            for _ in range(2):
                await pool.call(CHAT, chat, record())
                spread.append(served_by(emulator))
            return started_on, stayed, spread
        finally:
            await pool.aclose()

    started_on, stayed, spread = asyncio.run(conversation(pool_on(emulator)))
    assert stayed == [started_on] * 3
    assert sorted(spread) == ["a", "b"]  # chat sends its whole history: nothing ties it


def test_a_count_carrying_an_accounts_thinking_goes_to_that_account(
    emulator: CopilotEmulator,
) -> None:
    """Only the account that signed a thinking block can read it back: a count of the
    conversation holding it is sent there, as the next message would be."""
    first: Json = {
        "model": "claude-sonnet-4.5",
        "max_tokens": 100,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "messages": [{"role": "user", "content": "Plan a trip"}],
    }

    async def conversation(pool: CopilotPool) -> tuple[str, list[str]]:
        try:
            await pool.models()
            # Account a fails on every try: the message is answered (and signed) by b.
            emulator.state.faults.extend([Fault(status=503)] * 3)
            answer = await pool.call(MESSAGES, first, record())
            signed_by = served_by(emulator)
            more = [
                *first["messages"],
                {"role": "assistant", "content": answer["content"]},
                {"role": "user", "content": "And?"},
            ]
            counted_on = []
            for _ in range(2):
                await pool.call(COUNT_TOKENS, {**first, "messages": more}, record())
                counted_on.append(served_by(emulator))
            return signed_by, counted_on
        finally:
            await pool.aclose()

    signed_by, counted_on = asyncio.run(conversation(pool_on(emulator)))
    assert signed_by == "b" and counted_on == ["b", "b"]


def test_a_session_the_client_names_stays_on_one_account_where_chat_would_go_round(
    emulator: CopilotEmulator,
) -> None:
    """A free model's chat goes round-robin, unless the client names its session (Codex's
    `session-id`): then each turn goes where the session's first turn went, its cache."""
    chat = {"model": "gpt-5-mini", "messages": [{"role": "user", "content": "hi"}]}

    async def turns(pool: CopilotPool) -> tuple[list[str], list[str]]:
        try:
            named, unnamed = [], []
            for _ in range(3):
                await pool.call(CHAT, chat, record(), {"session-id": "codex-session-1"})
                named.append(served_by(emulator))
                await pool.call(CHAT, chat, record())
                unnamed.append(served_by(emulator))
            return named, unnamed
        finally:
            await pool.aclose()

    named, unnamed = asyncio.run(turns(pool_on(emulator)))
    assert len(set(named)) == 1
    assert set(unnamed) == {"a", "b"}


def test_replicas_on_one_redis_send_a_session_to_the_account_that_served_it(
    emulator: CopilotEmulator, tmp_path: Path
) -> None:
    """Two pools (as two replicas would hold) sharing one real Redis: the session the first
    served on account b goes to b on the second too, whose own turn would have said a; with
    Redis stopped, the second still serves (from its own memory), unseen by the client."""
    session = {"session-id": "codex-session-2"}
    chat = {"model": "gpt-5-mini", "messages": [{"role": "user", "content": "hi"}]}

    async def replicas(url: str, server: RedisServer) -> tuple[str, str, float]:
        first = CopilotPool(pool_on(emulator).members, 60, RedisAffinity(url))
        second = CopilotPool(pool_on(emulator).members, 60, RedisAffinity(url))
        try:
            await first.call(CHAT, chat, record())  # first's round-robin turn: a
            await first.call(CHAT, chat, record(), session)
            on_first = served_by(emulator)
            await second.call(CHAT, chat, record(), session)
            on_second = served_by(emulator)
            server.stop()
            failed_before = REDIS_ERRORS.labels("affinity_recall")._value.get()
            await second.call(CHAT, chat, record(), session)
            failed = REDIS_ERRORS.labels("affinity_recall")._value.get() - failed_before
            return on_first, on_second, failed
        finally:
            await first.aclose()
            await second.aclose()

    with running_redis(tmp_path) as server:
        on_first, on_second, failed = asyncio.run(replicas(server.url, server))
    assert (on_first, on_second) == ("b", "b")
    assert failed == 1  # counted, and the call was served all the same


def test_the_accounts_report_says_which_account_cools_down_why_and_the_models_each_offers(
    emulator: CopilotEmulator,
) -> None:
    body: Json = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}

    async def work(pool: CopilotPool) -> list[Json]:
        await pool.models()  # each account's catalogue (and token) first: the fault is a call's
        emulator.state.faults.append(
            Fault(status=429, body='{"error":{"message":"slow down","code":"rate_limited"}}')
        )
        await pool.call(CHAT, body, record())  # the first account refused, the next serves
        return await pool.accounts_report()

    report = run(pool_on(emulator), work)
    by_account = {account["account"]: account for account in report}
    resting = [account for account in report if account["cooling"] is not None]
    assert len(resting) == 1 and resting[0]["cooling"]["why"]
    assert 0 < resting[0]["cooling"]["seconds"] <= 60  # the pool's cooldown
    assert all("gpt-4.1" in account["models"] for account in by_account.values())
    assert {"plan", "billing", "windows"} <= set(resting[0])
