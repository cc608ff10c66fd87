"""The headers Copilot gets for each surface's calls, over HTTP through the gateway to the
emulator: VS Code's fingerprint (`OpenAI-Intent`, `X-Agent-Task-Id` = `X-Request-Id`), who
made the call and what kind it is (`X-Initiator`, `X-Interaction-Type`) as the coding
agents mark their subagent, compaction and background calls, and `X-Interaction-Id`,
stable across a conversation's turns."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from servers import CopilotEmulator

Json = dict[str, Any]
HI = {"role": "user", "content": "Plan a trip to Lisbon"}
CLAUDE_CODE_SUBAGENT = (
    "You are an agent for Claude Code, Anthropic's official CLI for Claude. Given the "
    "user's message, you should use the tools available to complete the task."
)
CLAUDE_CODE_COMPACTION_SYSTEM = (
    "You are a helpful AI assistant tasked with summarizing conversations."
)
CLAUDE_CODE_COMPACTION_PROMPT = (
    "Your task is to create a detailed summary of the conversation so far, paying close "
    "attention to the user's explicit requests and your previous actions."
)
CODEX_COMPACTION_PROMPT = (
    "You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary for "
    "another LLM that will resume the task."
)
OPENCODE_COMPACTION = "You are summarizing a conversation for continuation by another agent."
OPENCODE_TITLE = "You are a title generator. You output ONLY a thread title. Nothing else."
CLAUDE_CODE_CONTINUATION = (
    "This session is being continued from a previous conversation that ran out of context. "
    "The conversation is summarized below: ..."
)


def chat(messages: list[Json], model: str = "gpt-4o") -> tuple[str, Json]:
    return "/v1/chat/completions", {"model": model, "messages": messages}


def responses(items: list[Json] | str, **extra: Any) -> tuple[str, Json]:
    return "/v1/responses", {"model": "gpt-5-mini", "input": items, **extra}


def messages(turns: list[Json], model: str = "claude-sonnet-4", **extra: Any) -> tuple[str, Json]:
    return "/v1/messages", {"model": model, "max_tokens": 32, "messages": turns, **extra}


def sent(
    client: httpx.Client,
    emulator: CopilotEmulator,
    request: tuple[str, Json],
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    """The headers Copilot got for this request through the gateway."""
    path, body = request
    answer = client.post(path, json=body, headers=headers or {})
    assert answer.status_code == 200, answer.text
    return [seen for seen in emulator.state.seen_headers if "x-initiator" in seen][-1]


EVERY_SURFACE = {
    "chat": chat([HI]),
    "responses": responses([HI]),
    "messages": messages([HI]),
    "messages translated to chat": messages([HI], model="gpt-4o"),
}


@pytest.mark.parametrize("request_", EVERY_SURFACE.values(), ids=EVERY_SURFACE.keys())
def test_a_users_turn_carries_vs_codes_agent_headers_on_every_surface(
    client: httpx.Client, emulator: CopilotEmulator, request_: tuple[str, Json]
) -> None:
    headers = sent(client, emulator, request_)
    assert headers["x-initiator"] == "user"
    assert headers["openai-intent"] == "conversation-agent"
    assert headers["x-interaction-type"] == "conversation-agent"
    assert headers["x-agent-task-id"] == headers["x-request-id"]
    assert uuid.UUID(headers["x-interaction-id"])
    assert headers["copilot-integration-id"] == "vscode-chat"  # not the messages-proxy identity


@pytest.mark.own_servers  # the shared gateway has its catalogue already
def test_the_catalogue_is_asked_for_with_the_model_access_intent(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    assert client.get("/v1/models").status_code == 200
    listing = [seen for seen in emulator.state.seen_headers if "x-initiator" not in seen]
    assert listing and listing[-1]["openai-intent"] == "model-access"
    assert "x-interaction-type" not in listing[-1]


def test_each_request_has_its_own_request_id(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    first = sent(client, emulator, chat([HI]))["x-request-id"]
    assert sent(client, emulator, chat([HI]))["x-request-id"] != first


TURNS = {
    "chat": (
        chat([HI]),
        chat([HI, {"role": "assistant", "content": "Sure."}, {"role": "user", "content": "Go on"}]),
    ),
    "responses": (
        responses([HI]),
        responses(
            [
                HI,
                {"role": "assistant", "content": "Sure."},
                {"role": "user", "content": "Go on"},
            ]
        ),
    ),
    "messages": (
        messages([HI]),
        messages(
            [HI, {"role": "assistant", "content": "Sure."}, {"role": "user", "content": "Go on"}]
        ),
    ),
}


@pytest.mark.parametrize(("first", "second"), TURNS.values(), ids=TURNS.keys())
def test_the_interaction_id_is_stable_across_a_conversations_turns(
    client: httpx.Client,
    emulator: CopilotEmulator,
    first: tuple[str, Json],
    second: tuple[str, Json],
) -> None:
    one = sent(client, emulator, first)["x-interaction-id"]
    assert sent(client, emulator, second)["x-interaction-id"] == one
    other = sent(client, emulator, chat([{"role": "user", "content": "Something else"}]))
    assert other["x-interaction-id"] != one


SESSION_HEADERS = {
    "claude code": (messages, "x-claude-code-session-id"),
    "codex": (responses, "session-id"),
    "opencode": (chat, "x-session-affinity"),
}


@pytest.mark.parametrize(("shape", "header"), SESSION_HEADERS.values(), ids=SESSION_HEADERS.keys())
def test_the_interaction_id_follows_the_clients_own_session_header(
    client: httpx.Client, emulator: CopilotEmulator, shape: Any, header: str
) -> None:
    session = {header: "session-7f3a"}
    first = sent(client, emulator, shape([HI]), session)
    unrelated = shape([{"role": "user", "content": "A different first message"}])
    assert (
        sent(client, emulator, unrelated, session)["x-interaction-id"] == first["x-interaction-id"]
    )
    assert not [name for name, value in first.items() if "session-7f3a" in value]  # hashed
    other = sent(client, emulator, shape([HI]), {header: "session-other"})
    assert other["x-interaction-id"] != first["x-interaction-id"]


def test_an_opencode_child_session_shares_its_parents_interaction(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    parent = sent(client, emulator, chat([HI]), {"x-session-affinity": "ses_root"})
    child = sent(
        client,
        emulator,
        chat([{"role": "user", "content": "Find the config files"}]),
        {"x-session-affinity": "ses_child", "x-parent-session-id": "ses_root"},
    )
    assert child["x-interaction-id"] == parent["x-interaction-id"]
    assert (child["x-initiator"], child["x-interaction-type"]) == (
        "agent",
        "conversation-subagent",
    )


def _history(*last: Json) -> list[Json]:
    return [HI, {"role": "assistant", "content": "Sure."}, *last]


SUBAGENT_MARKER = (
    '<system-reminder>__SUBAGENT_MARKER__{"session_id":"s","agent_id":"a",'
    '"agent_type":"Explore"}</system-reminder>'
)
TASK = {"role": "user", "content": "Find the config files"}
MARKED_TEXT = {"type": "text", "text": SUBAGENT_MARKER}
SUBAGENT, COMPACTION = "conversation-subagent", "conversation-compaction"
# The calls the agents make on their own: the request, the client's headers, and the
# interaction type Copilot gets, with `X-Initiator: agent`.
AGENTS_OWN_CALLS: dict[str, tuple[tuple[str, Json], dict[str, str], str]] = {
    "claude code task agent": (messages([TASK], system=CLAUDE_CODE_SUBAGENT), {}, SUBAGENT),
    "claude code task agent, translated to chat": (
        messages([TASK], model="gpt-4o", system=CLAUDE_CODE_SUBAGENT),
        {},
        SUBAGENT,
    ),
    "subagent hook marker": (
        messages([{"role": "user", "content": [MARKED_TEXT, {"type": "text", "text": "Go"}]}]),
        {},
        SUBAGENT,
    ),
    "codex spawned thread": (
        responses([HI]),
        {"session-id": "root", "thread-id": "child", "x-openai-subagent": "collab_spawn"},
        SUBAGENT,
    ),
    "codex review": (responses([HI]), {"x-openai-subagent": "review"}, SUBAGENT),
    "claude code compaction": (
        messages(
            _history({"role": "user", "content": CLAUDE_CODE_COMPACTION_PROMPT}),
            system=CLAUDE_CODE_COMPACTION_SYSTEM,
        ),
        {},
        COMPACTION,
    ),
    "claude code compaction, translated to chat": (
        messages(
            _history({"role": "user", "content": CLAUDE_CODE_COMPACTION_PROMPT}),
            model="gpt-4o",
            system=CLAUDE_CODE_COMPACTION_SYSTEM,
        ),
        {},
        COMPACTION,
    ),
    "codex inline compaction": (
        responses(_history({"role": "user", "content": CODEX_COMPACTION_PROMPT})),
        {},
        COMPACTION,
    ),
    "codex compact thread": (responses([HI]), {"x-openai-subagent": "compact"}, COMPACTION),
    "opencode compaction": (
        chat([{"role": "system", "content": OPENCODE_COMPACTION}, *_history(HI)]),
        {},
        COMPACTION,
    ),
    "opencode title": (
        chat([{"role": "system", "content": OPENCODE_TITLE}, HI]),
        {},
        "conversation-background",
    ),
    "codex memory": (
        responses([HI]),
        {"x-openai-subagent": "memory_consolidation"},
        "conversation-background",
    ),
    "claude code resuming after a compaction": (
        messages([{"role": "user", "content": CLAUDE_CODE_CONTINUATION}]),
        {},
        "conversation-agent",
    ),
}


@pytest.mark.parametrize(
    ("request_", "headers", "interaction"), AGENTS_OWN_CALLS.values(), ids=AGENTS_OWN_CALLS.keys()
)
def test_the_agents_own_calls_are_the_agents_and_say_what_they_are(
    client: httpx.Client,
    emulator: CopilotEmulator,
    request_: tuple[str, Json],
    headers: dict[str, str],
    interaction: str,
) -> None:
    seen = sent(client, emulator, request_, headers)
    assert (seen["x-initiator"], seen["x-interaction-type"]) == ("agent", interaction)


def test_a_responses_turn_ending_in_a_tool_output_is_the_agents(
    client: httpx.Client, emulator: CopilotEmulator
) -> None:
    items = [
        HI,
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "42"},
    ]
    seen = sent(client, emulator, responses(items))
    assert (seen["x-initiator"], seen["x-interaction-type"]) == ("agent", "conversation-agent")


def test_embeddings_name_no_conversation(client: httpx.Client, emulator: CopilotEmulator) -> None:
    answer = client.post(
        "/v1/embeddings", json={"model": "text-embedding-3-small", "input": ["hi"]}
    )
    assert answer.status_code == 200
    seen = [h for h in emulator.state.seen_headers if "x-initiator" in h][-1]
    assert seen["openai-intent"] == "copilot-panel"
    assert "x-interaction-id" not in seen
