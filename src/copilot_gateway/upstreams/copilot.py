"""GitHub Copilot's chat API: token exchange, Copilot's headers, its model catalogue.

The GitHub token is exchanged for a short-lived Copilot token at
`{github_api}/copilot_internal/v2/token`; that answer also names the API base
(`endpoints.api`) for this account's plan.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from ..errors import GatewayError, UpstreamFailed
from ..messages import has_image
from ..settings import Settings
from .base import Json
from .cache import Refreshing
from .http import iter_sse_json, json_request, open_stream, request_json

REFRESH_MARGIN_SECONDS = 60
CALLABLE_TYPES = ("chat", "embeddings")  # "completion" models are not served by /chat


@dataclass(frozen=True)
class CopilotSession:
    token: str
    api_base: str


def initiator(body: Json) -> str:
    """`user` only when a person wrote the last message: agent turns burn no premium requests."""
    messages = body.get("messages") or [{}]
    return "user" if messages[-1].get("role") == "user" else "agent"


def as_openai_model(model: Json) -> Json:
    return {
        "id": model["id"],
        "object": "model",
        "created": 0,
        "owned_by": str(model.get("vendor") or "github-copilot"),
    }


class CopilotUpstream:
    def __init__(self, client: httpx.AsyncClient, settings: Settings, github_token: str) -> None:
        self._client = client
        self._settings = settings
        self._github_token = github_token
        self._session = Refreshing(self._exchange)
        self._catalogue = Refreshing(self._fetch_catalogue)

    def _editor_headers(self) -> dict[str, str]:
        s = self._settings
        return {
            "Editor-Version": s.copilot_editor_version,
            "Editor-Plugin-Version": s.copilot_editor_plugin_version,
            "User-Agent": s.copilot_user_agent,
        }

    async def _exchange(self) -> tuple[CopilotSession, float]:
        url = self._settings.github_api_url.rstrip("/") + "/copilot_internal/v2/token"
        headers = {
            **self._editor_headers(),
            "Authorization": f"token {self._github_token}",
            "X-GitHub-Api-Version": "2025-04-01",
        }
        try:
            answer = await request_json(
                self._client, self._client.build_request("GET", url, headers=headers)
            )
        except GatewayError as refused:
            if refused.status >= 500:
                raise
            raise UpstreamFailed(
                f"GitHub would not exchange GITHUB_TOKEN for a Copilot token ({refused.message}). "
                "It must be an OAuth token of an account with Copilot; personal access tokens "
                "do not work.",
                code="copilot_token_exchange_failed",
            ) from None
        try:
            token = str(answer["token"])
            api_base = str(answer["endpoints"]["api"]).rstrip("/")
            lifetime = (
                float(answer.get("refresh_in") or 0) or float(answer["expires_at"]) - time.time()
            )
        except (KeyError, TypeError, ValueError):
            raise UpstreamFailed("GitHub's Copilot token answer was not understood.") from None
        return CopilotSession(token, api_base), max(lifetime - REFRESH_MARGIN_SECONDS, 0)

    async def _request(
        self, method: str, path: str, body: Json | None = None, intent: str | None = None
    ) -> httpx.Request:
        session = await self._session.get()
        s = self._settings
        headers = {
            **self._editor_headers(),
            "Authorization": f"Bearer {session.token}",
            "Copilot-Integration-Id": s.copilot_integration_id,
            "OpenAI-Intent": intent or s.copilot_openai_intent,
            "X-GitHub-Api-Version": s.copilot_api_version,
            "X-Request-Id": str(uuid.uuid4()),
        }
        if body is not None and "messages" in body:
            headers["X-Initiator"] = initiator(body)
            if has_image(body["messages"]):
                headers["Copilot-Vision-Request"] = "true"
        return json_request(self._client, method, session.api_base + path, body, headers)

    async def _fetch_catalogue(self) -> tuple[dict[str, tuple[str, Json]], float]:
        """Callable models by id: (kind, OpenAI model object)."""
        request = await self._request("GET", "/models", intent="model-access")
        answer = await request_json(self._client, request)
        catalogue: dict[str, tuple[str, Json]] = {}
        for model in answer.get("data", []):
            if not isinstance(model, dict) or "id" not in model:
                continue
            kind = (model.get("capabilities") or {}).get("type")
            if kind in CALLABLE_TYPES:  # Copilot lists some ids twice: keep the first
                catalogue.setdefault(model["id"], (kind, as_openai_model(model)))
        return catalogue, self._settings.models_cache_seconds

    async def list_models(self) -> list[Json]:
        return [model for _, model in (await self._catalogue.get()).values()]

    async def model_kinds(self) -> dict[str, str | None]:
        return {model_id: kind for model_id, (kind, _) in (await self._catalogue.get()).items()}

    async def chat(self, body: Json) -> Json:
        return await request_json(
            self._client, await self._request("POST", "/chat/completions", body)
        )

    async def chat_stream(self, body: Json) -> AsyncIterator[Json]:
        request = await self._request("POST", "/chat/completions", body)
        return iter_sse_json(await open_stream(self._client, request))

    async def embeddings(self, body: Json) -> Json:
        request = await self._request("POST", "/embeddings", body, intent="copilot-panel")
        return await request_json(self._client, request)

    async def aclose(self) -> None:
        await self._client.aclose()
