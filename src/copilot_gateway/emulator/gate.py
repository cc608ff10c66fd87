"""What every call to Copilot's API passes before it is answered: the next injected fault,
then Copilot's own refusals (a token it did not issue or that expired, a missing
`Editor-Version`, a client older than the emulator's minimum: 466), then, for calls that
name a model, a readable body and a model of the right kind. And the account a call is
billed to, by the claims of its token."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from . import catalog, plans, quota
from .faults import next_answer_fault
from .state import Emulator
from .versions import client_too_old
from .wire import JSON, copilot_error

VISION_HEADER_MISSING = "missing required Copilot-Vision-Request header for vision requests"


async def refusal(emulator: Emulator, request: Request) -> Response | None:
    """An injected fault, or Copilot's refusal (a dead token, missing headers), or None."""
    emulator.state.seen_headers.append(dict(request.headers))
    fault = next_answer_fault(emulator.state.faults)
    if fault is not None:
        await asyncio.sleep(fault.delay_seconds)
        return Response(fault.body, fault.status, fault.headers, JSON)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    expiry = emulator.state.issued.get(token) if scheme.lower() == "bearer" else None
    if expiry is None:
        return Response("unauthorized: token invalid", 401, media_type="text/plain")
    if expiry <= time.time():
        return Response("unauthorized: token expired", 401, media_type="text/plain")
    if "editor-version" not in request.headers:
        return copilot_error(400, "missing Editor-Version header for IDE auth")
    return client_too_old(emulator.config, request)


async def model_body(emulator: Emulator, request: Request, kind: str) -> dict[str, Any] | Response:
    """The request's JSON body, if the call is allowed and names a model of this kind."""
    if refused := await refusal(emulator, request):
        return refused
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return copilot_error(400, "invalid JSON body", "invalid_request_body")
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return copilot_error(400, "model is required", "invalid_request_body", "model")
    if catalog.model_type(body["model"]) != kind:
        message = "The requested model is not supported."
        return copilot_error(400, message, "model_not_supported", "model")
    return body


def vision_refusal(request: Request, has_image: bool) -> Response | None:
    """Copilot's 400 for images sent without `Copilot-Vision-Request: true`."""
    if has_image and request.headers.get("copilot-vision-request") != "true":
        return copilot_error(400, VISION_HEADER_MISSING)
    return None


def account(emulator: Emulator, account_id: str, seat: plans.Seat) -> quota.Account:
    """An account's allowances, opened on its first use (and again after a reset)."""
    quotas = emulator.state.quotas
    if account_id not in quotas:
        config = emulator.config
        quotas[account_id] = quota.open_account(
            seat,
            config.monthly_credits,
            config.session_credits,
            config.weekly_credits,
            config.entitlements,
        )
    return quotas[account_id]


def account_of_github_token(emulator: Emulator, github_token: str) -> quota.Account:
    return account(emulator, plans.account_of(github_token), plans.seat_of(github_token))


def billed_account(emulator: Emulator, request: Request) -> quota.Account:
    """The account whose Copilot token the request carries (its `tid`, `sku` and `tbb`
    claims: id, plan, billed in AI credits or not)."""
    token = request.headers.get("authorization", "").partition(" ")[2]
    claims = dict(part.split("=", 1) for part in token.split(":")[0].split(";") if "=" in part)
    seat = plans.Seat(claims.get("sku", plans.CATCH_ALL), claims.get("tbb", "1") == "1")
    return account(emulator, claims["tid"], seat)


def api_version(request: Request) -> str | None:
    return request.headers.get("x-github-api-version")


def seen_model(request: Request, model_id: str) -> dict[str, Any]:
    """The model's entry as this request's API version sees it (limits, tier bounds)."""
    return catalog.seen_by(catalog.BY_ID[model_id], api_version(request))


def on_plan(model: dict[str, Any], plan: str) -> bool:
    """Whether an account on this plan may use the model (its `billing.restricted_to`)."""
    return plan in ((model.get("billing") or {}).get("restricted_to") or [plan])


def offered(model: dict[str, Any], plan: str) -> bool:
    """Whether the account may call the model at all: on its plan, and enabled by policy."""
    enabled = (model.get("policy") or {}).get("state") != "disabled"
    return enabled and on_plan(model, plan)


def prompt_too_long(prompt_tokens: int, model: dict[str, Any]) -> Response | None:
    """Copilot's 400 for a prompt over the model's `max_prompt_tokens` (as the request's
    API version sees it), on every endpoint: chat's error, even on `/v1/messages`."""
    limits = model["capabilities"].get("limits") or {}
    limit = limits.get("max_prompt_tokens", prompt_tokens)
    if prompt_tokens <= limit:
        return None
    message = f"prompt token count of {prompt_tokens} exceeds the limit of {limit}"
    return copilot_error(400, message, "model_max_prompt_tokens_exceeded")
