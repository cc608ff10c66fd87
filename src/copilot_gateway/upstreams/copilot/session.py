"""The Copilot token: the GitHub token exchanged at `{github_api}/copilot_internal/v2/token`
for a short-lived Copilot token, whose answer also names the API base (`endpoints.api`) for
this account's plan. The token is sent to no host but Copilot's own."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from ...errors import GatewayError, RateLimited, TokenExchangeRefused, UpstreamFailed
from ...settings import Settings
from ..client import UpstreamClient, error_from_response, ok_json, send
from ..retry import RetryPolicy
from .headers import editor_headers

REFRESH_MARGIN_SECONDS = 60
PERSONAL_ACCESS_TOKEN_PREFIXES = ("ghp_", "github_pat_")


@dataclass(frozen=True)
class CopilotSession:
    token: str
    api_base: str


def personal_access_token_problem(token: str) -> str | None:
    """Why a token cannot work, if it is a personal access token."""
    if token.startswith(PERSONAL_ACCESS_TOKEN_PREFIXES):
        return (
            "GITHUB_TOKEN is a personal access token: GitHub does not exchange those for "
            "Copilot tokens. Run `copilot-gateway login` to get an OAuth token instead."
        )
    return None


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
    return TokenExchangeRefused(
        f"No Copilot token for GITHUB_TOKEN: {advice} (GitHub said: {refused.message})"
    )


async def exchange(
    client: UpstreamClient, settings: Settings, github_token: str, policy: RetryPolicy
) -> tuple[CopilotSession, float]:
    """A fresh Copilot session for this GitHub token, and how many seconds it stays good."""
    github_api = settings.github_api_url.rstrip("/")
    headers = {
        **editor_headers(settings),
        "Authorization": f"token {github_token}",
        "X-GitHub-Api-Version": settings.copilot_token_api_version,
    }
    request = client.build_request(
        "GET", github_api + "/copilot_internal/v2/token", headers=headers
    )
    response = await send(client, request, policy=policy)
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
