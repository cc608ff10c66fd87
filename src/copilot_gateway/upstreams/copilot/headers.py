"""The headers Copilot wants: the editor it believes it talks to, the intent, and, per
request, who made it (`X-Initiator`) and whether it holds images (`Copilot-Vision-Request`).
What varies by surface (whose turn a request is, where its images are) comes in the
endpoint's description; the header names and values are Copilot's, and live here."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from ...settings import Settings
from ..base import Endpoint, Json

# Copilot's `OpenAI-Intent` per path of its API (the configured one for the rest).
INTENTS = {"/models": "model-access", "/embeddings": "copilot-panel"}


def editor_headers(settings: Settings) -> dict[str, str]:
    """The client Copilot believes it serves (VS Code's Copilot Chat): its fingerprint."""
    return {
        "Editor-Version": settings.copilot_editor_version,
        "Editor-Plugin-Version": settings.copilot_editor_plugin_version,
        "User-Agent": settings.copilot_user_agent,
    }


def api_headers(settings: Settings, token: str, intent: str | None = None) -> dict[str, str]:
    """What every request to Copilot's API carries, with this Copilot token."""
    return {
        **editor_headers(settings),
        "Authorization": f"Bearer {token}",
        "Copilot-Integration-Id": settings.copilot_integration_id,
        "OpenAI-Intent": intent or settings.copilot_openai_intent,
        "X-GitHub-Api-Version": settings.copilot_api_version,
        "X-Request-Id": str(uuid.uuid4()),
    }


def initiator(endpoint: Endpoint, body: Json) -> str:
    """`user` only when the user made the request: agent turns burn no premium requests."""
    return "user" if endpoint.user_initiated(body) else "agent"


def endpoint_headers(endpoint: Endpoint, body: Json, client: Mapping[str, str]) -> dict[str, str]:
    """The headers Copilot wants for a request to this endpoint with this body."""
    headers = endpoint.passed_headers(client)
    headers["X-Initiator"] = initiator(endpoint, body)
    if endpoint.holds_images(body):
        headers["Copilot-Vision-Request"] = "true"
    return headers
