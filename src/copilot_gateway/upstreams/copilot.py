"""GitHub Copilot's chat API: token exchange, Copilot's headers, its model catalogue.

The GitHub token is exchanged for a short-lived Copilot token at
`{github_api}/copilot_internal/v2/token`; that answer also names the API base
(`endpoints.api`) for this account's plan.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ..errors import GatewayError, RateLimited, UpstreamFailed
from ..messages import has_anthropic_image, has_image, has_input_image, is_person_turn
from ..observability.metrics import PREMIUM_REQUESTS
from ..settings import Settings
from .accounts import DEFAULT_ACCOUNT
from .base import CHAT, EMBEDDINGS, MESSAGES, RESPONSES, Catalogue, Json, ModelInfo
from .cache import Refreshing
from .copilot_errors import copilot_errors
from .copilot_quota import QuotaBook, account_summary, user_info_request
from .http import (
    UpstreamClient,
    error_from_response,
    iter_sse_json,
    json_request,
    lenient_json,
    ok_json,
    ok_stream,
    send,
    upstream_errors,
)
from .retry import RetryPolicy

REFRESH_MARGIN_SECONDS = 60
STALE_CATALOGUE_SECONDS = 60  # how long a model list is reused while Copilot says 429
CALLABLE_TYPES = ("chat", "embeddings")  # "completion" models are not served by /chat
# Where a model is served when Copilot's catalogue does not say, by its type.
DEFAULT_ENDPOINTS = {"chat": (CHAT,), "embeddings": (EMBEDDINGS,)}
# Copilot's `OpenAI-Intent` per endpoint (the configured one for the rest).
INTENTS = {EMBEDDINGS: "copilot-panel"}
# Client headers Copilot wants passed on, per endpoint (its native Messages API reads them).
PASSED_ON = {MESSAGES: ("anthropic-version", "anthropic-beta")}
ANTHROPIC_VERSION = "2023-06-01"  # when a client sends none (Copilot wants one)


PERSONAL_ACCESS_TOKEN_PREFIXES = ("ghp_", "github_pat_")


def personal_access_token_problem(token: str) -> str | None:
    """Why a token cannot work, if it is a personal access token."""
    if token.startswith(PERSONAL_ACCESS_TOKEN_PREFIXES):
        return (
            "GITHUB_TOKEN is a personal access token: GitHub does not exchange those for "
            "Copilot tokens. Run `copilot-gateway login` to get an OAuth token instead."
        )
    return None


@dataclass(frozen=True)
class CopilotSession:
    token: str
    api_base: str


def initiator(body: Json, endpoint: str = CHAT) -> str:
    """`user` only when a person wrote the last message (or input item, on /responses):
    agent turns burn no premium requests. (On Messages a user turn holding tool results is
    the agent's.)"""
    items = body.get("messages") or body.get("input") or [{}]
    if isinstance(items, str):
        return "user"
    last = items[-1] if isinstance(items[-1], dict) else {}
    if endpoint == MESSAGES:
        return "user" if is_person_turn(last) else "agent"
    return "user" if last.get("role") == "user" else "agent"


def endpoint_headers(endpoint: str, body: Json, passed: Mapping[str, str]) -> dict[str, str]:
    """The headers Copilot wants for this endpoint and body."""
    headers: dict[str, str] = {}
    if "messages" not in body and "input" not in body:
        return headers
    headers["X-Initiator"] = initiator(body, endpoint)
    if endpoint == MESSAGES:
        headers["anthropic-version"] = ANTHROPIC_VERSION
        headers.update({name: passed[name] for name in PASSED_ON[MESSAGES] if name in passed})
        vision = has_anthropic_image(body["messages"])
    else:
        vision = has_image(body.get("messages")) or has_input_image(body.get("input"))
    if vision:
        headers["Copilot-Vision-Request"] = "true"
    return headers


def is_message_stop(data: bytes) -> bool:
    """A Messages stream ends with this event (and no `[DONE]`)."""
    event = lenient_json(data)
    return isinstance(event, dict) and event.get("type") == "message_stop"


def allowed_api_base(api_base: str, github_api_url: str) -> bool:
    """Where the Copilot token may go: Copilot's own https hosts, this GHE.com tenant's, or
    the host we already trust with the GitHub token (the emulator serves both)."""
    api, github = urlsplit(api_base), urlsplit(github_api_url)
    host = api.hostname or ""
    if api.scheme == "https" and (
        host == "githubcopilot.com" or host.endswith(".githubcopilot.com")
    ):
        return True
    github_host = github.hostname or ""
    if (
        api.scheme == "https"
        and github_host.startswith("api.")
        and github_host.endswith(".ghe.com")
    ):
        return host.endswith("." + github_host.removeprefix("api."))
    return (api.scheme, api.netloc) == (github.scheme, github.netloc)


def callable_on_chat_api(model: Json) -> bool:
    """Copilot lists models it will not serve here: disabled by policy, served on neither
    chat nor /responses, or code-completion models. (An empty `supported_endpoints` says
    nothing: those work on chat.) Responses-only models are served: chat is translated."""
    if (model.get("policy") or {}).get("state") == "disabled":
        return False
    kind = (model.get("capabilities") or {}).get("type")
    endpoints = model.get("supported_endpoints") or []
    if kind == "chat" and endpoints and not {CHAT, RESPONSES} & set(endpoints):
        return False
    return kind in CALLABLE_TYPES


def exchange_refused(status: int, refused: GatewayError) -> GatewayError:
    """GitHub's refusal (status) to issue a Copilot token, as what the operator must do."""
    if status == 429:
        return RateLimited(
            f"GitHub is rate limiting token exchanges: {refused.message}", headers=refused.headers
        )
    advice = {
        401: "GITHUB_TOKEN is invalid or revoked: sign in again and set the new token.",
        403: "this GitHub account has no Copilot access, or it is blocked.",
        404: "GitHub issues no Copilot token for it: personal access tokens (ghp_...) do not "
        "work; use an OAuth token from GitHub's device flow.",
    }.get(status, "GitHub refused the token exchange.")
    return UpstreamFailed(
        f"No Copilot token for GITHUB_TOKEN: {advice} (GitHub said: {refused.message})",
        code="copilot_token_exchange_failed",
    )


def as_openai_model(model: Json) -> Json:
    return {
        "id": model["id"],
        "object": "model",
        "created": 0,
        "owned_by": str(model.get("vendor") or "github-copilot"),
    }


def model_info(model: Json) -> ModelInfo:
    """A catalogue entry as ours: its kind, and the HTTP endpoints Copilot serves it on."""
    kind = model["capabilities"]["type"]
    listed = [e for e in model.get("supported_endpoints") or [] if e.startswith("/")]
    endpoints = tuple(listed) or DEFAULT_ENDPOINTS.get(kind, ())
    limit = (model["capabilities"].get("limits") or {}).get("max_prompt_tokens")
    max_prompt = limit if isinstance(limit, int) and not isinstance(limit, bool) else None
    billing: Json = model["billing"] if isinstance(model.get("billing"), dict) else {}
    multiplier = billing.get("multiplier") if billing.get("is_premium") else 0
    premium = float(multiplier) if isinstance(multiplier, int | float) else 0.0
    return ModelInfo(model["id"], kind, endpoints, as_openai_model(model), max_prompt, premium)


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
        self._retry = RetryPolicy.of(settings)
        self._client = client
        self._settings = settings
        self._github_token = github_token
        self._session = Refreshing(self._exchange)
        self._catalogue = Refreshing(self._fetch_catalogue)
        self._last_catalogue: Catalogue = {}

    def _editor_headers(self) -> dict[str, str]:
        s = self._settings
        return {
            "Editor-Version": s.copilot_editor_version,
            "Editor-Plugin-Version": s.copilot_editor_plugin_version,
            "User-Agent": s.copilot_user_agent,
        }

    async def _exchange(self) -> tuple[CopilotSession, float]:
        github_api = self._settings.github_api_url.rstrip("/")
        headers = {
            **self._editor_headers(),
            "Authorization": f"token {self._github_token}",
            "X-GitHub-Api-Version": self._settings.copilot_token_api_version,
        }
        request = self._client.build_request(
            "GET", github_api + "/copilot_internal/v2/token", headers=headers
        )
        response = await send(self._client, request, policy=self._retry)
        if 400 <= response.status_code < 500:
            refused = error_from_response(response.status_code, response.headers, response.content)
            raise exchange_refused(response.status_code, refused)
        answer = ok_json(response)
        try:
            token = str(answer["token"])
            api_base = str(answer["endpoints"]["api"]).rstrip("/")
            expires_in = float(answer["expires_at"]) - time.time()
            # refresh_in is relative, so it holds even when the clocks disagree.
            lifetime = float(answer.get("refresh_in") or expires_in)
        except (KeyError, TypeError, ValueError):
            raise UpstreamFailed("GitHub's Copilot token answer was not understood.") from None
        if not allowed_api_base(api_base, github_api):
            raise UpstreamFailed(
                f"GitHub named {urlsplit(api_base).netloc or api_base!r} as the Copilot API, which "
                "is not a Copilot host: the token is not sent there.",
                code="copilot_api_host_refused",
            )
        return CopilotSession(token, api_base), max(lifetime - REFRESH_MARGIN_SECONDS, 0)

    async def _request(
        self,
        method: str,
        path: str,
        body: Json | None = None,
        intent: str | None = None,
        passed: Mapping[str, str] | None = None,
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
        if body is not None:
            headers.update(endpoint_headers(path, body, passed or {}))
        return json_request(self._client, method, session.api_base + path, body, headers)

    async def _send(
        self,
        method: str,
        path: str,
        body: Json | None = None,
        *,
        intent: str | None = None,
        stream: bool = False,
        passed: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with the current Copilot token; if Copilot says it expired, exchange once more
        and send once more (nothing has reached the client yet)."""
        request = await self._request(method, path, body, intent, passed)
        response = await send(self._client, request, stream, self._retry)
        if response.status_code == 401:
            await response.aclose()
            self._session.invalidate()
            request = await self._request(method, path, body, intent, passed)
            response = await send(self._client, request, stream, self._retry)
        self.quota.observe(response.headers)
        return response

    async def _fetch_catalogue(self) -> tuple[Catalogue, float]:
        """Callable models by id."""
        try:
            answer = ok_json(await self._send("GET", "/models", intent="model-access"))
        except RateLimited:
            if not self._last_catalogue:
                raise
            return self._last_catalogue, STALE_CATALOGUE_SECONDS  # as VS Code does on a 429
        catalogue: Catalogue = {}
        for model in answer.get("data", []):
            if isinstance(model, dict) and "id" in model and callable_on_chat_api(model):
                # Copilot lists some ids twice: keep the first
                catalogue.setdefault(model["id"], model_info(model))
        self._last_catalogue = catalogue
        return catalogue, self._settings.models_cache_seconds

    async def models(self) -> Catalogue:
        return await self._catalogue.get()

    async def call(
        self, endpoint: str, body: Json, headers: Mapping[str, str] | None = None
    ) -> Json:
        intent = INTENTS.get(endpoint)
        with copilot_errors(self._settings):
            response = await self._send("POST", endpoint, body, intent=intent, passed=headers)
            answer = ok_json(response)
        await self._count_premium(endpoint, body)
        return answer

    async def stream(
        self, endpoint: str, body: Json, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[Json]:
        intent = INTENTS.get(endpoint)
        with copilot_errors(self._settings):
            response = await self._send(
                "POST", endpoint, body, intent=intent, stream=True, passed=headers
            )
            opened = await ok_stream(response)
        await self._count_premium(endpoint, body)
        final = is_message_stop if endpoint == MESSAGES else None
        return iter_sse_json(opened, self._settings.stream_idle_timeout, final)

    async def _count_premium(self, endpoint: str, body: Json) -> None:
        """A call Copilot accepted costs premium requests when a person made it."""
        if ("messages" not in body and "input" not in body) or initiator(body, endpoint) != "user":
            return
        info = (await self._catalogue.get()).get(str(body.get("model")))
        if info is not None and info.premium_multiplier:
            PREMIUM_REQUESTS.labels(self.account, info.id).inc(info.premium_multiplier)

    async def quota_report(self) -> Json:  # a pool's report lists one of these per account
        """The account's plan and quotas from GitHub, and the latest snapshots Copilot sent."""
        request = user_info_request(self._client, self._settings, self._github_token)
        with upstream_errors():
            response = await self._client.send(request)
        summary = account_summary(self.account, ok_json(response))
        return {**summary, "latest_snapshots": self.quota.as_json()}

    async def aclose(self) -> None:
        await self._client.aclose()
