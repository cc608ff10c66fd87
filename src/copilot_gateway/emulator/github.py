"""GitHub's side of Copilot: the OAuth device flow (`POST /login/device/code`, `POST
/login/oauth/access_token`), the Copilot token exchange (`GET /copilot_internal/v2/token`,
`Authorization: token <github token>`) and the account's quota (`GET
/copilot_internal/user`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import plans, quota_wire
from .gate import account_of_github_token
from .state import Emulator
from .wire import github_error, json_response

REFRESH_IN = 1500  # seconds: when the exchange tells a client to fetch a new token
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _no_copilot() -> Response:
    details = {
        "message": "You do not have access to GitHub Copilot.",
        "notification_id": "no_copilot_access",
        "title": "No Copilot access",
        "url": "https://github.com/features/copilot",
    }
    return json_response({"error_details": details, "message": "No Copilot access"}, 403)


def _rate_limited() -> Response:
    response = github_error(429, "API rate limit exceeded for user ID 1.")
    response.headers["retry-after"] = "30"
    return response


# GitHub tokens of accounts GitHub refuses a Copilot token to, and how it says so.
REFUSED_ACCOUNTS: dict[str, Callable[[], Response]] = {
    "gho_revoked": lambda: github_error(401, "Bad credentials"),
    "gho_not_for_copilot": lambda: github_error(404, "Not Found"),
    "gho_no_copilot": _no_copilot,
    "gho_rate_limited": _rate_limited,
}


def github_token(request: Request) -> str | None:
    """The token of `Authorization: token <github token>`, the GitHub REST scheme."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "token" and token else None


class GitHub:
    """The GitHub endpoints of one emulator, and the Copilot tokens they issued."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator
        self._secret = secrets.token_bytes(16)
        self._lifetimes: dict[str, float] = {}  # every token issued -> its real expiry

    def routes(self) -> list[Route]:
        return [
            Route("/login/device/code", self.device_code, methods=["POST"]),
            Route("/login/oauth/access_token", self.access_token, methods=["POST"]),
            Route("/copilot_internal/v2/token", self.exchange_token, methods=["GET"]),
            Route("/copilot_internal/user", self.user_info, methods=["GET"]),
        ]

    def unexpired_tokens(self) -> dict[str, float]:
        """The tokens issued whose lifetime has not ended (even one a test expired)."""
        now = time.time()
        self._lifetimes = {token: end for token, end in self._lifetimes.items() if end > now}
        return dict(self._lifetimes)

    async def device_code(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        if not body.get("client_id"):
            return json_response({"error": "unauthorized_client"}, 400)
        device_code = secrets.token_hex(20)
        self._emulator.state.device_codes[device_code] = 0
        return json_response(
            {
                "device_code": device_code,
                "user_code": "EMUL-" + device_code[:4].upper(),
                "verification_uri": str(request.base_url).rstrip("/") + "/login/device",
                "expires_in": 900,
                "interval": self._emulator.config.device_interval,
            }
        )

    async def access_token(self, request: Request) -> Response:
        config, state = self._emulator.config, self._emulator.state
        body = orjson.loads(await request.body() or b"{}")
        polls = state.device_codes.get(body.get("device_code", ""))
        if polls is None or body.get("grant_type") != DEVICE_GRANT:
            return json_response({"error": "incorrect_device_code"})
        state.device_codes[body["device_code"]] = polls + 1
        if polls < len(config.device_polls):
            answer: dict = {"error": config.device_polls[polls]}
            if answer["error"] == "slow_down":
                answer["interval"] = config.device_interval
            return json_response(answer)
        token = "gho_" + hashlib.sha256(body["device_code"].encode()).hexdigest()[:36]
        return json_response({"access_token": token, "token_type": "bearer", "scope": "read:user"})

    async def exchange_token(self, request: Request) -> Response:
        token = github_token(request)
        if token is None:
            return github_error(401, "Bad credentials")
        if token.startswith("ghp_"):
            # Personal access tokens cannot be exchanged: GitHub answers 404.
            return github_error(404, "Not Found")
        if token in REFUSED_ACCOUNTS:
            return REFUSED_ACCOUNTS[token]()
        config, state = self._emulator.config, self._emulator.state
        if token in state.refused_exchanges:
            return github_error(401, "Bad credentials")
        state.exchanges += 1
        expires_at = int(time.time()) + config.token_lifetime
        seat = plans.seat_of(token)
        plan = seat.plan
        billing = int(seat.token_based_billing)
        claims = f"tid={plans.account_of(token)};exp={expires_at};sku={plan};tbb={billing}"
        mac = hmac.new(self._secret, f"{claims}:{state.exchanges}".encode(), "sha256")
        copilot_token = f"{claims}:{mac.hexdigest()}"
        state.issued[copilot_token] = self._lifetimes[copilot_token] = expires_at
        base = config.api_base or str(request.base_url).rstrip("/")
        return json_response(
            {
                "token": copilot_token,
                "expires_at": expires_at,
                "refresh_in": min(REFRESH_IN, config.token_lifetime),
                "sku": plan,
                "individual": True,
                "endpoints": {
                    "api": base,
                    "proxy": base,
                    "telemetry": base,
                    "origin-tracker": base,
                },
            }
        )

    async def user_info(self, request: Request) -> Response:
        token = github_token(request)
        if token is None or token.startswith("ghp_"):
            return github_error(401, "Bad credentials")
        account = account_of_github_token(self._emulator, token)
        account.roll()
        return json_response(quota_wire.user_info(account, plans.account_of(token)))
