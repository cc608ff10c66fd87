"""The gateway's own URL, as it tells clients (the spec's server URL, redirects): the
configured public URL, else the request's `Host` only when it is an allowed host, else
relative. A client's `Host` header is never echoed unchecked."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings


def allowed_host(host: str, allowed: list[str]) -> bool:
    """Whether a `Host` header (with or without its port) names an allowed host."""
    name = urlsplit(f"//{host}").hostname if host else None
    return name is not None and name in {entry.strip("[]").lower() for entry in allowed}


def base_url(settings: Settings, scope: Scope) -> str:
    """Scheme and authority to put before the gateway's paths; "" for relative URLs."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = Headers(scope=scope).get("host", "")
    if allowed_host(host, settings.allowed_hosts):
        return f"{scope.get('scheme', 'http')}://{host}"
    return ""


class PublicUrlMiddleware:
    """Redirects (Starlette's trailing-slash one) point at the gateway's own URL."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_own_location(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, self.located(scope, value) if name.lower() == b"location" else value)
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_with_own_location)

    def located(self, scope: Scope, location: bytes) -> bytes:
        parts = urlsplit(location.decode("latin-1"))
        if not parts.netloc:
            return location
        relative = parts.path + (f"?{parts.query}" if parts.query else "")
        return (base_url(self.settings, scope) + relative).encode("latin-1")
