"""One Copilot account as an `Upstream`: its session (see `session`), Copilot's headers
(`headers`), its catalogue (`catalogue`), its premium requests (`premium`), its quota
(`quota`, `windows`) and the AI Credits each answer bills (`upstreams.credits`); every
request goes through the one send path (`client.send`)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ...errors import RateLimited
from ...settings import Settings
from ..base import CallRecord, Catalogue, Endpoint, EventStream, Json
from ..cache import Refreshing
from ..client import UpstreamClient, json_request, ok_json, ok_stream, send
from ..credits import noted_answer, noted_events
from ..retry import RetryPolicy
from ..sse import iter_sse_json
from .accounts import DEFAULT_ACCOUNT
from .billing import Billing
from .catalogue import catalogue_of
from .errors import copilot_errors
from .headers import api_headers, endpoint_headers, intent_of
from .premium import count_premium
from .quota import QuotaBook, account_summary, user_info_request
from .session import CopilotSession, exchange
from .windows import Windows

STALE_CATALOGUE_SECONDS = 60  # how long a model list is reused while Copilot says 429
NO_HEADERS: Mapping[str, str] = {}


class CopilotUpstream:
    def __init__(
        self,
        client: UpstreamClient,
        settings: Settings,
        github_token: str,
        account: str = DEFAULT_ACCOUNT,  # its name in logs, metrics and reports
    ) -> None:
        self.account = account
        self.quota = QuotaBook(account)
        self.windows = Windows(account, self.quota)
        self.billing = Billing(self._user_info)
        self._retry = RetryPolicy.of(settings)
        self._client = client
        self._settings = settings
        self._github_token = github_token
        self._session = Refreshing(self._exchange)
        self._catalogue = Refreshing(self._fetch_catalogue)
        self._last_catalogue: Catalogue = {}

    async def _exchange(self) -> tuple[CopilotSession, float]:
        return await exchange(self._client, self._settings, self._github_token, self._retry)

    async def _request(
        self,
        path: str,
        endpoint: Endpoint | None,
        body: Json | None,
        client: Mapping[str, str],
        record: CallRecord | None,
    ) -> httpx.Request:
        session = await self._session.get()
        intent = intent_of(self._settings, path)
        headers = api_headers(self._settings, session.token, intent)
        if endpoint is not None and body is not None:
            key_name = record.key_name if record is not None else None
            headers.update(endpoint_headers(endpoint, body, client, intent, key_name))
        method = "GET" if body is None else "POST"
        return json_request(self._client, method, session.api_base + path, body, headers)

    async def _send(
        self,
        path: str,
        endpoint: Endpoint | None = None,
        body: Json | None = None,
        *,
        stream: bool = False,
        record: CallRecord | None = None,
        client: Mapping[str, str] = NO_HEADERS,
    ) -> httpx.Response:
        """Send with the current Copilot token; if Copilot says it expired, exchange once more
        and send once more (nothing has reached the client yet)."""
        request = await self._request(path, endpoint, body, client, record)
        response = await send(self._client, request, stream, self._retry, record)
        if response.status_code == 401:
            await response.aclose()
            self._session.invalidate()
            request = await self._request(path, endpoint, body, client, record)
            response = await send(self._client, request, stream, self._retry, record)
        self.quota.observe(response.headers)
        self.windows.observe(response.headers)
        return response

    async def _fetch_catalogue(self) -> tuple[Catalogue, float]:
        """Callable models by id."""
        try:
            answer = ok_json(await self._send("/models"))
        except RateLimited:
            if not self._last_catalogue:
                raise
            return self._last_catalogue, STALE_CATALOGUE_SECONDS  # as VS Code does on a 429
        self._last_catalogue = catalogue_of(answer)
        return self._last_catalogue, self._settings.models_cache_seconds

    async def models(self) -> Catalogue:
        return await self._catalogue.get()

    async def call(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> Json:
        with copilot_errors(self._settings, endpoint.path):
            response = await self._send(
                endpoint.path, endpoint, body, record=record, client=headers or NO_HEADERS
            )
            answer = ok_json(response, endpoint.read_answer)
        record.account = self.account
        await self._count_premium(response, body)
        return noted_answer(answer, record)

    async def stream(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> EventStream:
        with copilot_errors(self._settings, endpoint.path):
            response = await self._send(
                endpoint.path,
                endpoint,
                body,
                stream=True,
                record=record,
                client=headers or NO_HEADERS,
            )
            opened = await ok_stream(response)
        record.account = self.account
        await self._count_premium(response, body)
        events = iter_sse_json(opened, self._settings.stream_idle_timeout, endpoint.ends_stream)
        return noted_events(events, record)

    async def _count_premium(self, response: httpx.Response, body: Json) -> None:
        """Counted as the request went: its user's turn only if it said `X-Initiator: user`."""
        users_turn = response.request.headers.get("X-Initiator") == "user"
        await count_premium(
            self.account, self._catalogue.get, str(body.get("model")), users_turn, self.billing
        )

    async def _user_info(self) -> Json:
        """GitHub's `copilot_internal/user` answer for this account."""
        request = user_info_request(self._client, self._settings, self._github_token)
        return ok_json(await send(self._client, request, policy=self._retry))

    async def quota_summary(self) -> Json:
        """The account's plan, billing and quotas from GitHub, and the latest snapshots and
        windows Copilot sent (a pool's quota report lists one of these per account)."""
        summary = account_summary(self.account, await self._user_info())
        return {
            **summary,
            "latest_snapshots": self.quota.as_json(),
            "windows": self.windows.as_json(),
        }

    async def aclose(self) -> None:
        await self.billing.aclose()
        await self._client.aclose()
