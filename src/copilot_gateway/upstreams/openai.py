"""Any OpenAI-compatible server: base URL and key, requests passed through as they are."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from ..settings import Settings
from .base import Json
from .cache import Refreshing
from .http import iter_sse_json, json_request, open_stream, request_json
from .retry import RetryPolicy


class OpenAIUpstream:
    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self._retry = RetryPolicy.of(settings)
        self._base = (settings.upstream_url or "").rstrip("/")
        key = settings.upstream_api_key
        self._headers = {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}
        self._models = Refreshing(self._fetch_models)

    def _request(self, method: str, path: str, body: Json | None = None) -> httpx.Request:
        return json_request(self._client, method, self._base + path, body, self._headers)

    async def _fetch_models(self) -> tuple[list[Json], float]:
        answer = await request_json(self._client, self._request("GET", "/models"), self._retry)
        models = [m for m in answer.get("data", []) if isinstance(m, dict) and "id" in m]
        return models, self._settings.models_cache_seconds

    async def list_models(self) -> list[Json]:
        return await self._models.get()

    async def model_kinds(self) -> dict[str, str | None]:
        return dict.fromkeys(model["id"] for model in await self.list_models())

    async def chat(self, body: Json) -> Json:
        request = self._request("POST", "/chat/completions", body)
        return await request_json(self._client, request, self._retry)

    async def chat_stream(self, body: Json) -> AsyncIterator[Json]:
        request = self._request("POST", "/chat/completions", body)
        response = await open_stream(self._client, request, self._retry)
        return iter_sse_json(response, self._settings.stream_idle_timeout)

    async def embeddings(self, body: Json) -> Json:
        request = self._request("POST", "/embeddings", body)
        return await request_json(self._client, request, self._retry)

    async def aclose(self) -> None:
        await self._client.aclose()
