"""What the Copilot upstream reads from an endpoint's description, in-process against the
emulator: who made the request, whether it holds images, which client headers go on, how
its streams end; and what it notes in the request's record."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.types import ASGIApp, Receive, Scope, Send

from copilot_gateway.emulator import CopilotEmulator, Fault
from copilot_gateway.errors import UpstreamError, UpstreamFailed
from copilot_gateway.surfaces.anthropic.endpoints import MESSAGES
from copilot_gateway.surfaces.openai.endpoints import CHAT, EMBEDDINGS, RESPONSES
from copilot_gateway.upstreams.base import Endpoint, Json
from copilot_gateway.upstreams.client import make_client
from copilot_gateway.upstreams.copilot.upstream import CopilotUpstream
from emulated_copilot import call_once, copilot_on, drained, record, run, settings

HI = {"role": "user", "content": "hi"}
CHAT_BODY: Json = {"model": "gpt-4o", "messages": [HI]}
TOOL_CALL = {
    "role": "assistant",
    "content": None,
    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
}
TOOL_RESULT = {"role": "tool", "tool_call_id": "c1", "content": "42"}
RESPONSES_TOOL_TURN = [
    HI,
    {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "c1", "output": "42"},
]
TOOL_USE = {
    "role": "assistant",
    "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
}
TOOL_USE_RESULT = {
    "role": "user",
    "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "42"}],
}
PNG = "iVBORw0KGgo="


def claude(*messages: Json) -> Json:
    return {"model": "claude-sonnet-4", "max_tokens": 32, "messages": list(messages)}


def last_headers(emulator: CopilotEmulator) -> dict[str, str]:
    return emulator.state.seen_headers[-1]


@pytest.mark.parametrize(
    ("endpoint", "body", "initiator"),
    [
        (CHAT, CHAT_BODY, "user"),
        (CHAT, {**CHAT_BODY, "messages": [HI, TOOL_CALL, TOOL_RESULT]}, "agent"),
        (CHAT, {**CHAT_BODY, "messages": [HI, {"role": "assistant", "content": "ok"}]}, "agent"),
        (RESPONSES, {"model": "gpt-5-mini", "input": "Plan a trip"}, "user"),
        (RESPONSES, {"model": "gpt-5-mini", "input": RESPONSES_TOOL_TURN}, "agent"),
        (MESSAGES, claude(HI), "user"),
        (MESSAGES, claude(HI, TOOL_USE, TOOL_USE_RESULT), "agent"),
        (EMBEDDINGS, {"model": "text-embedding-3-small", "input": ["hi"]}, "agent"),
    ],
)
def test_the_endpoint_says_whose_turn_a_request_is(
    emulator: CopilotEmulator, endpoint: Endpoint, body: Json, initiator: str
) -> None:
    call_once(emulator, endpoint, body)
    assert last_headers(emulator)["x-initiator"] == initiator


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        (
            CHAT,
            {
                "model": "gpt-4o",
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "what is this?"},
                            {
                                "type": "image_url",
                                "image_url": {"url": f"data:image/png;base64,{PNG}"},
                            },
                        ],
                    }
                ],
            },
        ),
        (
            RESPONSES,
            {
                "model": "gpt-5-mini",
                "input": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "input_text", "text": "what is this?"},
                            {"type": "input_image", "image_url": f"data:image/png;base64,{PNG}"},
                        ],
                    }
                ],
            },
        ),
        (
            MESSAGES,
            claude(
                HI,
                TOOL_USE,
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": "t1",
                            "content": [
                                {
                                    "type": "image",
                                    "source": {
                                        "type": "base64",
                                        "media_type": "image/png",
                                        "data": PNG,
                                    },
                                }
                            ],
                        }
                    ],
                },
            ),
        ),
    ],
)
def test_images_send_the_vision_header_wherever_the_endpoint_finds_them(
    emulator: CopilotEmulator, endpoint: Endpoint, body: Json
) -> None:
    call_once(emulator, endpoint, body)
    assert last_headers(emulator)["copilot-vision-request"] == "true"


def test_a_request_without_images_sends_no_vision_header(emulator: CopilotEmulator) -> None:
    call_once(emulator, CHAT, CHAT_BODY)
    assert "copilot-vision-request" not in last_headers(emulator)


def test_the_endpoints_client_headers_go_on_and_no_others(emulator: CopilotEmulator) -> None:
    client = {"anthropic-version": "2023-01-01", "anthropic-beta": "b1", "x-secret": "no"}
    call_once(emulator, MESSAGES, claude(HI), client)
    sent = last_headers(emulator)
    assert (sent["anthropic-version"], sent["anthropic-beta"]) == ("2023-01-01", "b1")
    assert "x-secret" not in sent
    call_once(emulator, CHAT, CHAT_BODY, client)
    assert "anthropic-beta" not in last_headers(emulator)  # chat forwards none of them


def test_a_header_the_client_left_out_is_sent_as_the_endpoint_defaults_it(
    emulator: CopilotEmulator,
) -> None:
    call_once(emulator, MESSAGES, claude(HI))
    assert last_headers(emulator)["anthropic-version"] == "2023-06-01"


def test_the_status_copilot_answered_is_noted_in_the_requests_record(
    emulator: CopilotEmulator,
) -> None:
    ok, refused = record(), record()

    async def work(copilot: CopilotUpstream) -> None:
        await copilot.call(CHAT, CHAT_BODY, ok)
        emulator.state.faults.append(Fault(status=400, body='{"error":{"message":"no"}}'))
        with pytest.raises(UpstreamError):
            await copilot.call(CHAT, CHAT_BODY, refused)

    run(copilot_on(emulator), work)
    assert (ok.upstream_status, refused.upstream_status) == (200, 400)


def test_the_same_conversation_from_two_keys_is_two_interactions(
    emulator: CopilotEmulator,
) -> None:
    """Without a session header the id is derived, and the key's name is part of it: two
    callers who open alike are not one conversation."""
    first, second = record(), record()
    first.key_name, second.key_name = "alice", "bob"

    async def work(copilot: CopilotUpstream) -> list[str]:
        ids = []
        for caller in (first, first, second):
            await copilot.call(CHAT, CHAT_BODY, caller)
            calls = [seen for seen in emulator.state.seen_headers if "x-initiator" in seen]
            ids.append(calls[-1]["x-interaction-id"])
        return ids

    alice, alice_again, bob = run(copilot_on(emulator), work)
    assert alice == alice_again != bob


def test_a_stream_ends_at_the_endpoints_last_event(emulator: CopilotEmulator) -> None:
    async def work(copilot: CopilotUpstream) -> list[Json]:
        return await drained(
            await copilot.stream(MESSAGES, {**claude(HI), "stream": True}, record())
        )

    events = run(copilot_on(emulator), work)  # no `[DONE]`: message_stop ends it
    assert events[0]["type"] == "message_start" and events[-1]["type"] == "message_stop"


def test_a_chat_stream_closed_before_done_is_cut(emulator: CopilotEmulator) -> None:
    emulator.state.faults.append(Fault(cut_after_chunks=2, stream_end="eof"))

    async def work(copilot: CopilotUpstream) -> list[Json]:
        return await drained(await copilot.stream(CHAT, {**CHAT_BODY, "stream": True}, record()))

    with pytest.raises(UpstreamFailed, match="ended before it was complete"):
        run(copilot_on(emulator), work)


def premium_spent(account: str) -> float:
    labels = {"account": account, "model": "claude-sonnet-4"}
    return REGISTRY.get_sample_value("gateway_copilot_premium_requests_total", labels) or 0.0


def test_premium_requests_are_counted_for_the_users_turns_only(emulator: CopilotEmulator) -> None:
    """On a seat still billed in premium requests (`gho_legacy…`); one billed in AI credits
    counts none (`test_copilot_quota`)."""
    account = "premium-unit"

    async def work(copilot: CopilotUpstream) -> None:
        await copilot.call(CHAT, {**CHAT_BODY, "model": "claude-sonnet-4"}, record())
        await copilot.call(MESSAGES, claude(HI), record())
        await copilot.call(MESSAGES, claude(HI, TOOL_USE, TOOL_USE_RESULT), record())
        tools = {"model": "claude-sonnet-4", "messages": [HI, TOOL_CALL, TOOL_RESULT]}
        await copilot.call(CHAT, tools, record())
        await copilot.billing.kind()  # the counts wait for it, read in the background

    before = premium_spent(account)
    run(copilot_on(emulator, "gho_legacy_seat", account=account), work)
    assert premium_spent(account) - before == 2


def test_an_agents_compaction_or_subagent_call_costs_no_premium_request(
    emulator: CopilotEmulator,
) -> None:
    """Its last message is a user's, but it goes as the agent's (`X-Initiator: agent`), so it
    is not counted either: the count follows what Copilot was told."""
    account = "premium-agents"
    compact = {
        "role": "user",
        "content": "Your task is to create a detailed summary of the conversation so far.",
    }

    async def work(copilot: CopilotUpstream) -> None:
        await copilot.call(MESSAGES, claude(HI, TOOL_USE, TOOL_USE_RESULT, compact), record())
        await copilot.call(
            CHAT,
            {**CHAT_BODY, "model": "claude-sonnet-4"},
            record(),
            {"x-openai-subagent": "review"},
        )
        await copilot.billing.kind()

    before = premium_spent(account)
    run(copilot_on(emulator, "gho_legacy_agents", account=account), work)
    assert premium_spent(account) - before == 0
    initiators = [seen["x-initiator"] for seen in list(emulator.state.seen_headers)[-2:]]
    assert initiators == ["agent", "agent"]


class StalledUserInfo:
    """The emulator, but GitHub's `copilot_internal/user` waits until the test releases it
    (a slow GitHub, without a sleep); `reached` says a request for it came."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/copilot_internal/user":
            self.reached.set()
            await self.release.wait()
        await self.app(scope, receive, send)


async def answered(copilot: CopilotUpstream, body: Json, streamed: bool) -> object:
    if streamed:
        return await drained(await copilot.stream(CHAT, {**body, "stream": True}, record()))
    return await copilot.call(CHAT, body, record())


@pytest.mark.parametrize("streamed", [False, True])
def test_a_stalled_github_holds_no_answer_and_the_premium_request_is_counted_after(
    emulator: CopilotEmulator, streamed: bool
) -> None:
    """The billing kind a premium request's count needs is GitHub's (`copilot_internal/user`):
    it is read in the background, and the answer (or the stream) does not wait for it."""
    account = f"premium-stalled-{streamed}"

    async def main() -> tuple[float, float]:
        github = StalledUserInfo(emulator.app)
        chosen = settings()
        client = make_client(chosen, httpx.ASGITransport(app=github))
        copilot = CopilotUpstream(client, chosen, "gho_legacy_stalled", account)
        try:
            await copilot.models()
            body = {**CHAT_BODY, "model": "claude-sonnet-4"}
            before = premium_spent(account)
            answer = asyncio.create_task(answered(copilot, body, streamed))
            await github.reached.wait()  # GitHub is asked, and holds its answer
            # A generous bound, not a guess at the pace: held by GitHub, it never comes.
            done, _ = await asyncio.wait({answer}, timeout=60)
            assert answer in done, "the answer waited for GitHub"
            assert answer.result()
            uncounted = premium_spent(account) - before  # the billing is not known yet
            github.release.set()
            assert await copilot.billing.kind() == "premium_requests"
            return uncounted, premium_spent(account) - before
        finally:
            await copilot.aclose()

    assert asyncio.run(main()) == (0, 1)
