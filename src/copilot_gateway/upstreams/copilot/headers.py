"""The headers Copilot wants: the editor it believes it talks to (VS Code's Copilot Chat),
the intent, and, per request, who made it and what kind of call it is (`X-Initiator`,
`X-Interaction-Type`), the conversation it belongs to (`X-Interaction-Id`), the task it
serves (`X-Agent-Task-Id`, VS Code's own request id) and whether it holds images
(`Copilot-Vision-Request`). What varies by surface (whose turn a request is, what it says
of its conversation, where its images are) comes in the endpoint's description, and the
kind of call from the agents' marks (`upstreams.agents`); the header names and values are
Copilot's, and live here.

On `/v1/messages` the headers are the same as on the other paths, VS Code's agent mode
(`OpenAI-Intent: conversation-agent`, `Copilot-Integration-Id: vscode-chat`), not the
identity VS Code's Claude Code SDK path sends (`messages-proxy`, no integration id, a
`vscode_claude_code` User-Agent): Copilot's WAF answered that header set 403 on
`claude-opus-4-8` (Floway's probe, 2026-05-29), and on `/chat/completions` it marks the
caller as the `claude-code` integrator, which hides models.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from ...settings import Settings
from ..agents import CallKind, call_kind, conversation_id
from ..base import Endpoint, Json

# Copilot's `OpenAI-Intent` per path of its API (the configured one, VS Code's agent mode
# by default, for the data plane: /chat/completions, /responses, /v1/messages).
INTENTS = {"/models": "model-access", "/embeddings": "copilot-panel"}

# VS Code's `X-Interaction-Type` overrides, by kind of call; the other kinds send the
# request's intent.
INTERACTION_TYPES: dict[CallKind, str] = {
    "subagent": "conversation-subagent",
    "compaction": "conversation-compaction",
    "background": "conversation-background",
}


def editor_headers(settings: Settings) -> dict[str, str]:
    """The client Copilot believes it serves (VS Code's Copilot Chat): its fingerprint."""
    return {
        "Editor-Version": settings.copilot_editor_version,
        "Editor-Plugin-Version": settings.copilot_editor_plugin_version,
        "User-Agent": settings.copilot_user_agent,
    }


def intent_of(settings: Settings, path: str) -> str:
    return INTENTS.get(path, settings.copilot_openai_intent)


def api_headers(settings: Settings, token: str, intent: str | None = None) -> dict[str, str]:
    """What every request to Copilot's API carries, with this Copilot token."""
    request_id = str(uuid.uuid4())
    return {
        **editor_headers(settings),
        "Authorization": f"Bearer {token}",
        "Copilot-Integration-Id": settings.copilot_integration_id,
        "OpenAI-Intent": intent or settings.copilot_openai_intent,
        "X-GitHub-Api-Version": settings.copilot_api_version,
        "X-Request-Id": request_id,
        "X-Agent-Task-Id": request_id,  # VS Code sends its request id as both
    }


def initiator(kind: CallKind) -> str:
    """`user` only when the user made the request: agent turns burn no premium requests."""
    return "user" if kind == "user" else "agent"


def endpoint_headers(
    endpoint: Endpoint,
    body: Json,
    client: Mapping[str, str],
    intent: str,
    key_name: str | None = None,
) -> dict[str, str]:
    """The headers Copilot wants for a request to this endpoint with this body, sent by a
    client with these headers (`intent`: the request's `OpenAI-Intent`)."""
    headers = endpoint.passed_headers(client)
    kind = call_kind(endpoint, body, client)
    headers["X-Initiator"] = initiator(kind)
    headers["X-Interaction-Type"] = INTERACTION_TYPES.get(kind, intent)
    interaction = conversation_id(endpoint, body, client, key_name)
    if interaction is not None:
        headers["X-Interaction-Id"] = interaction
    if endpoint.holds_images(body):
        headers["Copilot-Vision-Request"] = "true"
    return headers
