"""The per-key limits (see `key_limits`) at the edge of a request: admitted (or refused) once
its key and body are known, answered with the key's `x-ratelimit-*` headers, settled (tokens
and credits) when its response ends. Both are installed always: a key without limits costs a
lookup by its name, whether its limits come from the config file or were made at runtime.

    call ─► SettleMiddleware (the headers on the answer; settle and free at its end)
         ─► connexion: routing ─► security ─► validation ─► AdmitMiddleware (or 429) ─► handler
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..call import call_of
from ..key_limits.limiter import Limiter


class AdmitMiddleware:
    """Behind connexion's security check and request validation, where the caller's key
    name and the parsed body are known: admits the request or raises the 429, which the
    request's surface answers."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            call = call_of(scope)
            if call.caller is not None and self.limiter.applies_to(call.caller):
                call.admission = await self.limiter.admit(call.caller, call.body)
        await self.app(scope, receive, send)


class SettleMiddleware:
    """Around everything that can answer (errors included): adds the admitted key's headers
    to its answer, and once the response is over (done, failed, cut by the client, ended by
    shutdown) settles the tokens it used and frees its slot."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        call = call_of(scope)

        async def send_with_headers(message: Message) -> None:
            admission = call.admission
            if message["type"] == "http.response.start" and admission is not None:
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name.encode(), value.encode())
                    for name, value in admission.answer_headers(call.record.nano_aiu()).items()
                    if name.encode() not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if (admission := call.admission) is not None:
                call.admission = None
                used = call.record.prompt_tokens + call.record.completion_tokens
                # Shielded: a request cancelled on its way out still gives its slot back.
                finished = self.limiter.finish(admission, used, call.record.nano_aiu())
                await asyncio.shield(finished)
