"""Any OpenAI-compatible server: base URL and key, requests passed through as they are."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from .base import Json
from .cache import Refreshing
from .http import iter_sse_json, json_request, open_stream, request_json
from .retry import RetryPolicy


class OpenAIUpstream:
    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        api_key: str | None,
        models_ttl: float,
        retry: RetryPolicy,
    ) -> None:
        self._retry = retry
        self._client = client
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._models = Refreshing(self._fetch_models)
        self._models_ttl = models_ttl

    def _request(self, method: str, path: str, body: Json | None = None) -> httpx.Request:
        return json_request(self._client, method, self._base + path, body, self._headers)

    async def _fetch_models(self) -> tuple[list[Json], float]:
        answer = await request_json(self._client, self._request("GET", "/models"), self._retry)
        models = [m for m in answer.get("data", []) if isinstance(m, dict) and "id" in m]
        return models, self._models_ttl

    async def list_models(self) -> list[Json]:
        return await self._models.get()

    async def model_kinds(self) -> dict[str, str | None]:
        return dict.fromkeys(model["id"] for model in await self.list_models())

    async def chat(self, body: Json) -> Json:
        request = self._request("POST", "/chat/completions", body)
        return await request_json(self._client, request, self._retry)

    async def chat_stream(self, body: Json) -> AsyncIterator[Json]:
        request = self._request("POST", "/chat/completions", body)
        return iter_sse_json(await open_stream(self._client, request, self._retry))

    async def embeddings(self, body: Json) -> Json:
        request = self._request("POST", "/embeddings", body)
        return await request_json(self._client, request, self._retry)

    async def aclose(self) -> None:
        await self._client.aclose()
