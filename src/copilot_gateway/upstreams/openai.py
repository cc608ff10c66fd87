"""Any OpenAI-compatible server: base URL and key, requests passed through as they are.

A request's credits are the server's own bill where it sends one: a server in front of
Copilot (another gateway, a proxy) may pass Copilot's `copilot_usage` on, read as Copilot's
(`credits`) and never passed to a client. Else they are its tokens at its model's price, as
the server's model list gives it (`billing.token_prices`, Copilot's field, which such a
server passes on too), else as the `prices` setting does."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..errors import GatewayError
from ..pricing import TokenPrice, configured_price, listed_price
from ..settings import Settings
from .base import CallRecord, Catalogue, Endpoint, EventStream, Json, ModelInfo
from .cache import Refreshing
from .client import UpstreamClient, json_request, open_stream, request_json
from .credits import noted_answer, noted_events
from .retry import RetryPolicy
from .sse import iter_sse_json

# Where its models are served when the server has no /responses (they say nothing of it).
WITHOUT_RESPONSES = ("/chat/completions", "/embeddings")


class OpenAIUpstream:
    def __init__(self, client: UpstreamClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self._retry = RetryPolicy.of(settings)
        self._base = (settings.upstream_url or "").rstrip("/")
        key = settings.upstream_api_key
        self._headers = {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}
        self._models = Refreshing(self._fetch_models)
        # The server's models say nothing of their endpoints: any may serve them, unless the
        # server has no /responses (GATEWAY_UPSTREAM_RESPONSES=translate: served via chat).
        translate = settings.upstream_responses == "translate"
        self._endpoints: tuple[str, ...] = WITHOUT_RESPONSES if translate else ()

    def _request(self, method: str, path: str, body: Json | None = None) -> httpx.Request:
        return json_request(self._client, method, self._base + path, body, self._headers)

    async def _fetch_models(self) -> tuple[Catalogue, float]:
        answer = await request_json(self._client, self._request("GET", "/models"), self._retry)
        catalogue = {
            model["id"]: self._model_info(model)
            for model in answer.get("data", [])
            if isinstance(model, dict) and isinstance(model.get("id"), str)
        }
        return catalogue, self._settings.models_cache_seconds

    def _model_info(self, model: Json) -> ModelInfo:
        price = listed_price(model.get("billing")) or self._configured_price(model["id"])
        return ModelInfo(model["id"], None, self._endpoints, model, price=price)

    def _configured_price(self, model_id: str) -> TokenPrice | None:
        configured = self._settings.prices.get(model_id)
        return configured_price(configured) if configured else None

    async def _note_price(self, body: Json, record: CallRecord) -> None:
        """The price the request's tokens are billed at, from the (cached) model list, else
        the configured one: a server whose model list fails still serves, billed as set."""
        model = str(body.get("model"))
        try:
            info = (await self.models()).get(model)
        except GatewayError:
            info = None
        price = info.price if info is not None else self._configured_price(model)
        if price is not None:
            record.price = price

    async def models(self) -> Catalogue:
        return await self._models.get()

    # The client's headers are not passed on: an OpenAI-compatible server reads none; nor
    # are the hints only Copilot reads (`Endpoint.plain`).
    async def call(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> Json:
        await self._note_price(body, record)
        request = self._request("POST", endpoint.path, endpoint.plain(body))
        answer = await request_json(
            self._client, request, self._retry, record, endpoint.read_answer
        )
        return noted_answer(answer, record)

    async def stream(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> EventStream:
        await self._note_price(body, record)
        request = self._request("POST", endpoint.path, endpoint.plain(body))
        response = await open_stream(self._client, request, self._retry, record)
        events = iter_sse_json(response, self._settings.stream_idle_timeout, endpoint.ends_stream)
        return noted_events(events, record)

    async def aclose(self) -> None:
        await self._client.aclose()
