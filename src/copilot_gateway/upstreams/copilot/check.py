"""`copilot-gateway check`: one Copilot account tried end to end, as `serve` would use it,
each step said with what it found or, when it failed, what to do.

The steps, in order (a failed step ends the account's check where the next needs it):
1. token: the GitHub token exchanged for a Copilot token (`session.exchange`);
2. catalogue: `GET /models`: how many models, which are served only on `/responses`, which
   natively on `/v1/messages`;
3. call: `probe`'s one-word call to a free model (`gpt-5-mini`, else the next free one);
4. quota and windows: the `x-quota-snapshot-*` and `x-usage-ratelimit-*` headers of that
   call's answer, and GitHub's `copilot_internal/user` (plan, billing kind);
5. fingerprint: the client identity sent, for comparing with what Copilot accepts today.
Every request carries the headers `serve` sends (`headers`), so a passing check means
the same fingerprint works for the gateway.
"""

from __future__ import annotations

import time

import httpx

from ...errors import GatewayError
from ...settings import Settings
from ..base import Json
from ..client import (
    UpstreamClient,
    error_from_response,
    json_request,
    lenient_json,
    make_client,
    send,
)
from ..retry import RetryPolicy
from .check_findings import (
    UNREACHABLE,
    Report,
    Step,
    advice_for,
    catalogue_found,
    exchange_advice,
    fingerprint,
    spent_windows,
    user_lines,
    window_lines,
)
from .headers import api_headers, endpoint_headers, intent_of
from .probe import FREE_MODELS, PROBE_CALL, free_model, probe_body
from .quota import user_info_request
from .session import CopilotSession, exchange


class Refused(Exception):
    """A step's request was refused: what Copilot said, and what to do."""

    def __init__(self, said: str, advice: str) -> None:
        super().__init__(said)
        self.said, self.advice = said, advice


async def _get_json(
    client: UpstreamClient, request: httpx.Request, settings: Settings
) -> tuple[Json, httpx.Headers]:
    """A request's JSON answer and headers; Refused, with advice, when it was refused."""
    try:
        response = await send(client, request)
    except GatewayError as failure:
        raise Refused(failure.message, UNREACHABLE) from None
    if response.status_code >= 300:
        error = error_from_response(response.status_code, response.headers, response.content)
        said = f"{response.status_code}: {error.message}"
        raise Refused(said, advice_for(error, response.headers, settings))
    answer = lenient_json(response.content)
    return (answer if isinstance(answer, dict) else {}), response.headers


async def _call(
    client: UpstreamClient, settings: Settings, session: CopilotSession, model: str
) -> tuple[str, httpx.Headers]:
    body = probe_body(model)
    intent = intent_of(settings, PROBE_CALL.path)
    headers = api_headers(settings, session.token, intent)
    headers.update(endpoint_headers(PROBE_CALL, body, {}, intent))
    request = json_request(client, "POST", session.api_base + PROBE_CALL.path, body, headers)
    started = time.perf_counter()
    answer, answered = await _get_json(client, request, settings)
    choices = answer.get("choices") or [{}]
    text = str(((choices[0] or {}).get("message") or {}).get("content") or "").strip()
    return f"{model} answered in {time.perf_counter() - started:.1f} s: {text[:60]!r}", answered


async def check_account(
    client: UpstreamClient, settings: Settings, name: str, github_token: str
) -> Report:
    """Every step for one account, until one that the rest need fails."""
    report = Report(name)
    step = Step("token")
    report.steps.append(step)
    try:
        session, _ = await exchange(client, settings, github_token, RetryPolicy())
    except GatewayError as refusal:
        step.ok, step.found, step.advice = False, [refusal.message], exchange_advice(refusal)
        return report
    step.found.append(f"Copilot token issued; its API is {session.api_base}")
    try:
        step = Step("catalogue")
        report.steps.append(step)
        listing = client.build_request(
            "GET",
            session.api_base + "/models",
            headers=api_headers(settings, session.token, intent_of(settings, "/models")),
        )
        found, served = catalogue_found((await _get_json(client, listing, settings))[0])
        step.found = found
        model = free_model(served)
        step = Step("call")
        report.steps.append(step)
        if model is None:
            raise Refused(
                f"the catalogue has none of {', '.join(FREE_MODELS)}",
                "the account's plan lists no free model: check its Copilot policies on GitHub.",
            )
        said, answered = await _call(client, settings, session, model)
        step.found.append(said)
    except Refused as refused:
        step.ok, step.found, step.advice = False, [refused.said], refused.advice
        answered = httpx.Headers()
    report.steps.append(await quota_step(client, settings, github_token, answered))
    report.steps.append(fingerprint(settings))
    return report


async def quota_step(
    client: UpstreamClient, settings: Settings, github_token: str, answered: httpx.Headers
) -> Step:
    step = Step("quota")
    step.found = window_lines(answered) if answered else []
    if spent := spent_windows(answered):
        step.ok = False
        step.advice = "Spent: " + ", ".join(spent) + "; wait, or use another account."
    try:
        user, _ = await _get_json(
            client, user_info_request(client, settings, github_token), settings
        )
        step.found = user_lines(user) + step.found
    except Refused as refused:
        step.ok, step.advice = False, refused.advice
        step.found.insert(0, f"copilot_internal/user: {refused.said}")
    return step


async def check_accounts(settings: Settings, accounts: list[tuple[str, str]]) -> list[Report]:
    """Each (name, GitHub token) account checked in turn, over one pooled client."""
    client = make_client(settings)
    try:
        return [await check_account(client, settings, name, token) for name, token in accounts]
    finally:
        await client.aclose()
