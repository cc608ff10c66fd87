"""What kind of call a request is, and which conversation it belongs to, from the marks
the coding agents leave on their requests: Claude Code, Codex CLI and opencode say it in
headers of their own, or in the fixed texts of their side prompts (compaction, titles,
subagents). Upstreams that treat calls by kind read this (Copilot's `X-Initiator`,
`X-Interaction-Type`, `X-Interaction-Id`); no upstream's vocabulary lives here.

The kinds:
- `user`: the user's own turn;
- `agent`: the agent going on by itself (a tool result, its own follow-up, the turn that
  resumes after a compaction);
- `subagent`: a helper the main agent started (Claude Code's Task tool, Codex's spawned and
  review threads, opencode's child sessions);
- `compaction`: the agent summarising its own history to go on in less context;
- `background`: a side call that is nobody's turn (a title, a session summary, memory).

The markers are the agents' own prompt texts and headers, learnt from their public prompts
and from what the maintained Copilot proxies match on; each names its source. They change
with the agents' releases: a call no marker catches is still served, as the endpoint's own
rule (`Endpoint.user_initiated`) says.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Literal

from .base import Conversation, Endpoint, Json

CallKind = Literal["user", "agent", "subagent", "compaction", "background"]

# The client's own id for its session, first found wins. Subagents share their root's:
# Claude Code keeps one session id, Codex sends its root as `session-id` (the child as
# `thread-id`), and opencode gives a child session its own id and the root's as
# `x-parent-session-id`, so that one comes before opencode's own.
SESSION_HEADERS = (
    "x-claude-code-session-id",  # Claude Code
    "session-id",  # Codex CLI
    "session_id",  # Codex CLI, older releases
    "x-parent-session-id",  # opencode, in a child session: the root's id
    "x-session-affinity",  # opencode
    "x-opencode-session",  # opencode, to its own providers
    "x-session-id",  # opencode and others
)

# Codex names a helper thread's purpose in `x-openai-subagent` (`review`, `compact`,
# `collab_spawn`, `memory_consolidation`, or a label of the user's).
CODEX_SUBAGENT_HEADER = "x-openai-subagent"
CODEX_SUBAGENT_KINDS: dict[str, CallKind] = {
    "compact": "compaction",
    "memory_consolidation": "background",
}
NOT_A_SUBAGENT = frozenset({"", "false", "0"})  # what a main thread may send, if anything
OPENCODE_CHILD_HEADER = "x-parent-session-id"

# Found in the instructions or the last user message of a compaction request.
COMPACTION_MARKERS = (
    # Claude Code's compaction system prompt (opencode's older one too).
    "You are a helpful AI assistant tasked with summarizing conversations",
    # Claude Code's compaction instruction (`/compact` and auto-compact), the last message.
    "Your task is to create a detailed summary of the conversation so far",
    # opencode's compaction agent prompt (`agent/prompt/compaction.txt`), two generations.
    "You are summarizing a conversation for continuation by another agent",
    "You are an anchored context summarization assistant",
    # opencode, older releases: the compaction request's last message.
    "Provide a detailed prompt for continuing our conversation above",
    # Codex CLI's local (inline) compaction prompt, the last message.
    "You are performing a CONTEXT CHECKPOINT COMPACTION",
)
# Found in the instructions or the last user message of a side call.
BACKGROUND_MARKERS = (
    # Claude Code: topic and title detection, session title and branch name.
    "Analyze if this message indicates a new conversation topic",
    "You are coming up with a succinct title",
    "word title for the following conversation",
    # opencode: its title agent and its session summary.
    "You are a title generator",
    "Summarize what was done in this conversation. Write like a pull request description",
)
# Found in a subagent's instructions (Claude Code's Task-tool agents say "You are an agent
# for Claude Code, ...", its Explore agent "a file search specialist for Claude Code, ...";
# the main agent's prompt says "You are Claude Code, ...", without this).
SUBAGENT_SYSTEM_MARKERS = ("for Claude Code, Anthropic's official CLI for Claude",)
# Found in a subagent's first user message: the marker the Copilot proxies' Claude Code
# subagent hook puts in a `<system-reminder>`.
SUBAGENT_FIRST_USER_MARKERS = ("__SUBAGENT_MARKER__",)
# The last user message of the turn that resumes after a compaction: the agent's own.
CONTINUATION_MARKERS = (
    # Claude Code, after a compaction.
    "This session is being continued from a previous conversation that ran out of context",
    # opencode's synthetic continuation.
    "Continue if you have next steps, or stop and ask for clarification",
    # Codex CLI's summary prefix, on the history it rebuilt.
    "Another language model started to solve this problem and produced a summary",
)


def _has(text: str, markers: tuple[str, ...]) -> bool:
    return bool(text) and any(marker in text for marker in markers)


def _header(client: Mapping[str, str], name: str) -> str:
    return (client.get(name) or "").strip()


def _marked_kind(said: Conversation, client: Mapping[str, str]) -> CallKind | None:
    """The kind the agent marked this call with, if it did."""
    codex = _header(client, CODEX_SUBAGENT_HEADER).lower()
    if codex not in NOT_A_SUBAGENT:
        return CODEX_SUBAGENT_KINDS.get(codex, "subagent")
    prompts = (said.system, said.last_user)
    if any(_has(text, COMPACTION_MARKERS) for text in prompts):
        return "compaction"
    if any(_has(text, BACKGROUND_MARKERS) for text in prompts):
        return "background"
    if (
        _header(client, OPENCODE_CHILD_HEADER)
        or _has(said.system, SUBAGENT_SYSTEM_MARKERS)
        or _has(said.first_user, SUBAGENT_FIRST_USER_MARKERS)
    ):
        return "subagent"
    if _has(said.last_user, CONTINUATION_MARKERS):
        return "agent"
    return None


def call_kind(endpoint: Endpoint, body: Json, client: Mapping[str, str]) -> CallKind:
    """What kind of call this request to `endpoint` is (see the module's list)."""
    marked = _marked_kind(endpoint.conversation(body), client)
    if marked is not None:
        return marked
    return "user" if endpoint.user_initiated(body) else "agent"


def _uuid_of(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def client_session(client: Mapping[str, str]) -> str | None:
    """The session id the client sent for its conversation, if it sent one."""
    return next((session for name in SESSION_HEADERS if (session := _header(client, name))), None)


def conversation_id(
    endpoint: Endpoint, body: Json, client: Mapping[str, str], key_name: str | None
) -> str | None:
    """A UUID stable across one conversation's calls: from the client's session id where it
    sends one, else from what every turn of the conversation repeats (its instructions and
    first user message) and the key that sends it. None for a call that holds no
    conversation. Hashed either way, so no client value goes upstream as it was sent."""
    if session := client_session(client):
        return _uuid_of("session", session)
    said = endpoint.conversation(body)
    if not (said.system or said.first_user):
        return None
    return _uuid_of("derived", key_name or "", said.system, said.first_user)
