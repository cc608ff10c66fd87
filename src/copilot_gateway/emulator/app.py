"""An offline, deterministic server speaking Copilot's wire protocol.

GitHub's token exchange (`GET /copilot_internal/v2/token`, `Authorization: token ...`) and
Copilot's API (`/models`, `/chat/completions`, `/embeddings`, `/responses`, `Authorization: Bearer
<copilot token>`), with Copilot's header checks and its error bodies (JSON sent as
text/plain). It is the upstream of every test and the far end of every benchmark.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from .. import tokens
from ..messages import has_image
from ..surfaces.openai.envelope import envelope
from . import catalog, generate, messages, quota, responses

TOKEN_LIFETIME = 1800
REFRESH_IN = 1500


@dataclass
class Fault:
    """One injected failure, served instead of the next API answer (tests, benchmarks)."""

    status: int = 500
    body: str = '{"error":{"message":"emulated failure","code":"emulated"}}'
    delay_seconds: float = 0.0  # wait this long first (a slow or stalled upstream)
    # Stream this many chunks, then end as `stream_end` says: "cut" (the connection drops),
    # "eof" (a clean close without [DONE]), "error" (Copilot's mid-stream error chunk) or
    # "stall" (say nothing more for an hour).
    cut_after_chunks: int | None = None
    stream_end: str = "cut"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class EmulatorConfig:
    """How the emulator behaves."""

    first_token_ms: float = 0.0
    token_interval_ms: float = 0.0
    token_lifetime: int = TOKEN_LIFETIME
    omit_usage: bool = False  # behave like an upstream that reports no usage
    api_base: str | None = None  # the `endpoints.api` to hand out (default: this server)
    # The device flow: what each poll of a login answers in turn (then the token), and
    # the polling interval it asks for.
    device_polls: list[str] = field(default_factory=lambda: ["authorization_pending", "slow_down"])
    device_interval: int = 0
    # Premium requests a month by plan (see `quota`), for tests that run one out.
    entitlements: dict[str, int] = field(default_factory=lambda: dict(quota.ENTITLEMENTS))


@dataclass
class EmulatorState:
    """What the emulator has served, and the faults it is told to serve next: what tests
    inspect and inject."""

    device_codes: dict[str, int] = field(default_factory=dict)  # device code -> polls so far
    exchanges: int = 0  # token exchanges served
    issued: dict[str, float] = field(default_factory=dict)  # copilot token -> expiry
    faults: list[Fault] = field(default_factory=list)  # served in order, one per API call
    # The headers of the latest API calls (bounded: soak runs make millions).
    seen_headers: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=1000))
    open_streams: int = 0  # streams being sent right now (a client leaving must end its own)
    quotas: dict[str, quota.AccountQuota] = field(default_factory=dict)  # by account
    # The bodies of the latest /responses calls (what the gateway sent upstream).
    responses_requests: deque[dict] = field(default_factory=lambda: deque(maxlen=100))


def json_response(
    body: object, status: int = 200, media_type: str = "application/json"
) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=media_type)


def copilot_error(
    status: int, message: str, code: str | None = None, param: str | None = None
) -> Response:
    """Copilot sends its errors as JSON with a text/plain content type."""
    error = {"message": message, "code": code, "param": param, "type": "invalid_request_error"}
    return json_response({"error": error}, status, "text/plain; charset=utf-8")


def github_error(status: int, message: str) -> Response:
    return json_response(
        {"message": message, "documentation_url": "https://docs.github.com/rest"}, status
    )


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
REFUSED_ACCOUNTS = {
    "gho_revoked": lambda: github_error(401, "Bad credentials"),
    "gho_not_for_copilot": lambda: github_error(404, "Not Found"),
    "gho_no_copilot": _no_copilot,
    "gho_rate_limited": _rate_limited,
}


class CopilotEmulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self._built_with = copy.deepcopy(self.config)
        self.state = EmulatorState()
        self._lifetimes: dict[str, float] = {}  # every token issued -> its real expiry
        self._secret = secrets.token_bytes(16)
        self.app = Starlette(
            routes=[
                Route("/login/device/code", self.device_code, methods=["POST"]),
                Route("/login/oauth/access_token", self.access_token, methods=["POST"]),
                Route("/copilot_internal/v2/token", self.exchange_token, methods=["GET"]),
                Route("/copilot_internal/user", self.user_info, methods=["GET"]),
                Route("/models", self.list_models, methods=["GET"]),
                Route("/chat/completions", self.chat, methods=["POST"]),
                Route("/embeddings", self.embeddings, methods=["POST"]),
                Route(messages.ENDPOINT, self.messages, methods=["POST"]),
                Route("/responses", responses.endpoint(self), methods=["POST"]),
            ]
        )

    def reset(self) -> None:
        """Back to fresh (as built), for one emulator serving test after test: no faults,
        nothing seen, nothing counted. Copilot tokens within their lifetime are valid again
        (even one a test expired), so a gateway holding one keeps working; streams still
        being sent keep being counted."""
        self.config = copy.deepcopy(self._built_with)
        now = time.time()
        self._lifetimes = {token: end for token, end in self._lifetimes.items() if end > now}
        self.state = EmulatorState(
            issued=dict(self._lifetimes), open_streams=self.state.open_streams
        )

    # GitHub side --------------------------------------------------------------------

    async def device_code(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        if not body.get("client_id"):
            return json_response({"error": "unauthorized_client"}, 400)
        device_code = secrets.token_hex(20)
        self.state.device_codes[device_code] = 0
        return json_response(
            {
                "device_code": device_code,
                "user_code": "EMUL-" + device_code[:4].upper(),
                "verification_uri": str(request.base_url).rstrip("/") + "/login/device",
                "expires_in": 900,
                "interval": self.config.device_interval,
            }
        )

    async def access_token(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        polls = self.state.device_codes.get(body.get("device_code", ""))
        if (
            polls is None
            or body.get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code"
        ):
            return json_response({"error": "incorrect_device_code"})
        self.state.device_codes[body["device_code"]] = polls + 1
        if polls < len(self.config.device_polls):
            answer: dict = {"error": self.config.device_polls[polls]}
            if answer["error"] == "slow_down":
                answer["interval"] = self.config.device_interval
            return json_response(answer)
        token = "gho_" + hashlib.sha256(body["device_code"].encode()).hexdigest()[:36]
        return json_response({"access_token": token, "token_type": "bearer", "scope": "read:user"})

    async def exchange_token(self, request: Request) -> Response:
        scheme, _, github_token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "token" or not github_token:
            return github_error(401, "Bad credentials")
        if github_token.startswith("ghp_"):
            # Personal access tokens cannot be exchanged: GitHub answers 404.
            return github_error(404, "Not Found")
        if github_token in REFUSED_ACCOUNTS:
            return REFUSED_ACCOUNTS[github_token]()
        self.state.exchanges += 1
        expires_at = int(time.time()) + self.config.token_lifetime
        account = quota.account_of(github_token)
        claims = f"tid={account};exp={expires_at};sku={quota.plan_of(github_token)}"
        mac = hmac.new(
            self._secret, f"{claims}:{self.state.exchanges}".encode(), "sha256"
        ).hexdigest()
        token = f"{claims}:{mac}"
        self.state.issued[token] = self._lifetimes[token] = expires_at
        base = self.config.api_base or str(request.base_url).rstrip("/")
        return json_response(
            {
                "token": token,
                "expires_at": expires_at,
                "refresh_in": min(REFRESH_IN, self.config.token_lifetime),
                "sku": quota.plan_of(github_token),
                "individual": True,
                "endpoints": {
                    "api": base,
                    "proxy": base,
                    "telemetry": base,
                    "origin-tracker": base,
                },
            }
        )

    def _account(self, account: str, plan: str) -> quota.AccountQuota:
        """An account's quota, opened on its first use (and again after a reset)."""
        if account not in self.state.quotas:
            entitlement = self.config.entitlements.get(plan, quota.ENTITLEMENTS["pro"])
            self.state.quotas[account] = quota.AccountQuota(plan, entitlement)
        return self.state.quotas[account]

    async def user_info(self, request: Request) -> Response:
        scheme, _, github_token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "token" or not github_token or github_token.startswith("ghp_"):
            return github_error(401, "Bad credentials")
        account = self._account(quota.account_of(github_token), quota.plan_of(github_token))
        return json_response(account.user_info())

    def _quota_of(self, request: Request) -> quota.AccountQuota:
        """The account whose Copilot token the request carries (its `tid` and `sku` claims)."""
        token = request.headers.get("authorization", "").partition(" ")[2]
        claims = dict(part.split("=", 1) for part in token.split(":")[0].split(";") if "=" in part)
        return self._account(claims["tid"], claims.get("sku", "pro"))

    # Copilot side -------------------------------------------------------------------

    async def _refusal(self, request: Request) -> Response | None:
        """An injected fault, or Copilot's refusal (a dead token, missing headers), or None."""
        self.state.seen_headers.append(dict(request.headers))
        fault = self.state.faults[0] if self.state.faults else None
        if fault and fault.cut_after_chunks is None:
            self.state.faults.pop(0)
            await asyncio.sleep(fault.delay_seconds)
            return Response(fault.body, fault.status, fault.headers, "application/json")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expiry = self.state.issued.get(token) if scheme.lower() == "bearer" else None
        if expiry is None:
            return Response("unauthorized: token invalid", 401, media_type="text/plain")
        if expiry <= time.time():
            return Response("unauthorized: token expired", 401, media_type="text/plain")
        if "editor-version" not in request.headers:
            return copilot_error(400, "missing Editor-Version header for IDE auth")
        return None

    async def list_models(self, request: Request) -> Response:
        if refusal := await self._refusal(request):
            return refusal
        plan = self._quota_of(request).plan
        offered = [model for model in catalog.MODELS if _on_plan(model, plan)]
        return json_response({"object": "list", "data": offered})

    async def _body_for(self, request: Request, kind: str) -> dict | Response:
        """The request's JSON body, if the call is allowed and names a model of this kind."""
        refusal = await self._refusal(request)
        if refusal:
            return refusal
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

    async def chat(self, request: Request) -> Response:
        body = await self._body_for(request, "chat")
        if isinstance(body, Response):
            return body
        refused = catalog.refusal_on_chat(body["model"])
        if refused:
            return copilot_error(400, *refused, "model")
        if not _on_plan(catalog.BY_ID[body["model"]], self._quota_of(request).plan):
            return copilot_error(
                400, "The requested model is not supported.", "model_not_supported"
            )
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return copilot_error(400, "messages is required", "invalid_request_body", "messages")
        if has_image(messages) and request.headers.get("copilot-vision-request") != "true":
            return copilot_error(
                400, "missing required Copilot-Vision-Request header for vision requests"
            )
        prompt_tokens = tokens.count_prompt(messages, body["model"])
        limits = catalog.BY_ID[body["model"]]["capabilities"].get("limits") or {}
        if prompt_tokens > limits.get("max_prompt_tokens", prompt_tokens):
            message = (
                f"prompt token count of {prompt_tokens} exceeds the limit of "
                f"{limits['max_prompt_tokens']}"
            )
            return copilot_error(400, message, "model_max_prompt_tokens_exceeded")
        try:
            generated = generate.choices(body)
        except generate.Refused as denied:
            return copilot_error(400, denied.message, "invalid_request_body", denied.param)
        account = self._quota_of(request)
        billing = catalog.BY_ID[body["model"]].get("billing") or {}
        person = request.headers.get("x-initiator") != "agent"  # agents' turns are free
        cost = billing.get("multiplier", 0) if billing.get("is_premium") and person else 0
        if not account.charge(cost):
            exhausted = copilot_error(
                402, "You have exceeded your premium request allowance.", "quota_exceeded"
            )
            seconds = quota.next_reset().timestamp() - time.time()
            exhausted.headers.update({**account.headers(), "retry-after": str(int(seconds))})
            return exhausted
        usage = (
            None
            if self.config.omit_usage
            else tokens.usage(prompt_tokens, generate.completion_tokens(generated, body["model"]))
        )
        completion_id = "chatcmpl-emu" + hashlib.sha256(orjson.dumps(body)).hexdigest()[:20]
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            events = self._chat_events(
                completion_id, body["model"], generated, usage if include_usage else None
            )
            if self.state.faults and self.state.faults[0].cut_after_chunks is not None:
                fault = self.state.faults.pop(0)
                events = _cut(events, fault.cut_after_chunks or 0, fault.stream_end)
            return StreamingResponse(
                events, media_type="text/event-stream", headers=account.headers()
            )
        choices = [
            {"index": index, "message": _message(choice), "finish_reason": choice.finish_reason}
            for index, choice in enumerate(generated)
        ]
        answer = envelope(
            "chat.completion", completion_id, int(time.time()), body["model"], choices
        )
        if usage:
            answer["usage"] = usage
        response = json_response(answer)
        response.headers.update(account.headers())
        return response

    async def messages(self, request: Request) -> Response:
        return await messages.create(self, request)

    async def _chat_events(
        self, completion_id: str, model: str, generated: list[generate.Choice], usage: dict | None
    ) -> AsyncIterator[bytes]:
        self.state.open_streams += 1
        try:
            async for event in self._chat_stream(completion_id, model, generated, usage):
                yield event
        finally:
            self.state.open_streams -= 1

    async def _chat_stream(
        self, completion_id: str, model: str, generated: list[generate.Choice], usage: dict | None
    ) -> AsyncIterator[bytes]:
        created = int(time.time())

        def chunk(choices: list[dict], **extra: object) -> bytes:
            body = envelope(
                "chat.completion.chunk", completion_id, created, model, choices, **extra
            )
            return b"data: " + orjson.dumps(body) + b"\n\n"

        # Copilot opens with a choiceless chunk carrying only its prompt filter results.
        yield (
            b"data: "
            + orjson.dumps(
                {
                    "choices": [],
                    "created": 0,
                    "id": "",
                    "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
                }
            )
            + b"\n\n"
        )
        await self._pause(self.config.first_token_ms)
        # And sends references in chunks with `choices: null`.
        yield b"data: " + orjson.dumps({"choices": None, "copilot_references": []}) + b"\n\n"
        for index, choice in enumerate(generated):
            yield chunk(
                [
                    {
                        "index": index,
                        "delta": {"role": "assistant", "content": ""},
                        "finish_reason": None,
                    }
                ]
            )
            for piece in generate.pieces(choice.content) if choice.content else []:
                await self._pause(self.config.token_interval_ms)
                yield chunk([{"index": index, "delta": {"content": piece}, "finish_reason": None}])
            for position, call in enumerate(choice.tool_calls, choice.first_call_index):
                arguments = call["function"]["arguments"]
                half = len(arguments) // 2
                head = {
                    "index": position,
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["function"]["name"], "arguments": arguments[:half]},
                }
                yield chunk(
                    [{"index": index, "delta": {"tool_calls": [head]}, "finish_reason": None}]
                )
                tail = {"index": position, "function": {"arguments": arguments[half:]}}
                yield chunk(
                    [{"index": index, "delta": {"tool_calls": [tail]}, "finish_reason": None}]
                )
            yield chunk([{"index": index, "delta": {}, "finish_reason": choice.finish_reason}])
        if usage:
            yield chunk([], usage=usage)
        yield b"data: [DONE]\n\n"

    async def _pause(self, milliseconds: float) -> None:
        if milliseconds:
            await asyncio.sleep(milliseconds / 1000)

    async def embeddings(self, request: Request) -> Response:
        body = await self._body_for(request, "embeddings")
        if isinstance(body, Response):
            return body
        inputs = body.get("input")
        # Like some Copilot backends, accept only a list of strings.
        if (
            not isinstance(inputs, list)
            or not inputs
            or not all(isinstance(i, str) for i in inputs)
        ):
            return copilot_error(
                400, "input must be a non-empty list of strings", "invalid_request_body", "input"
            )
        dimensions = body.get("dimensions") or catalog.EMBEDDING_DIMENSIONS
        if not isinstance(dimensions, int) or not 1 <= dimensions <= catalog.EMBEDDING_DIMENSIONS:
            message = f"dimensions must be between 1 and {catalog.EMBEDDING_DIMENSIONS}"
            return copilot_error(400, message, "invalid_request_body", "dimensions")
        data = [
            {
                "object": "embedding",
                "index": index,
                "embedding": generate.embedding(text, dimensions),
            }
            for index, text in enumerate(inputs)
        ]
        answer: dict = {"object": "list", "data": data, "model": body["model"]}
        if not self.config.omit_usage:
            prompt = tokens.count(inputs, body["model"])
            answer["usage"] = {"prompt_tokens": prompt, "total_tokens": prompt}
        return json_response(answer)


MID_STREAM_ERROR = {
    "choices": None,
    "error": {"message": "upstream model overloaded", "code": "server_error"},
}


async def _cut(events: AsyncIterator[bytes], keep: int, end: str) -> AsyncIterator[bytes]:
    """Send `keep` events, then end the stream the way `end` names (see `Fault`)."""
    sent = 0
    async for chunk in events:
        if sent == keep:
            if end == "error":
                yield b"data: " + orjson.dumps(MID_STREAM_ERROR) + b"\n\n"
            if end == "cut":
                raise ConnectionAbortedError("emulated cut")
            if end == "stall":
                await asyncio.sleep(3600)
            return
        yield chunk
        sent += 1


def _on_plan(model: dict, plan: str) -> bool:
    """Whether an account on this plan may use the model (its `billing.restricted_to`)."""
    return plan in ((model.get("billing") or {}).get("restricted_to") or [plan])


def _message(choice: generate.Choice) -> dict:
    message: dict = {"role": "assistant", "content": choice.content}
    if choice.tool_calls:
        message["tool_calls"] = choice.tool_calls
    return message
