"""`/dashboard`: the operator's pages, server-rendered, behind a login with the admin token
(see `sessions`). No API surface: no spec document, so its routes are added beside the
specs' as `/metrics` and `/quota` are (see `app.create_app`), and it answers in HTML.

Every form is a POST carrying its CSRF token; a change is followed by a redirect (303) to
the page that shows it, but for a new key, whose page shows its secret once. Every answer
is sent with a Content-Security-Policy that lets the page run only its own script and
style, so that even a value that escaped the templates' escaping could run nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, PackageLoader
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...access.wrong_tokens import WrongTokens
from ...errors import GatewayError
from ...gateway import Gateway
from ...state import dashboard_logouts
from ...state.database import reaching_the_database
from ...state.ledger import recent
from . import PREFIX, pages
from .sessions import (
    LOGIN_COOKIE,
    LOGIN_SECONDS,
    SESSION_COOKIE,
    SESSION_SECONDS,
    Sessions,
)

# The package's own files: the only ones served (the browser asks for an icon on each page).
STATIC = {
    "dashboard.css": "text/css",
    "dashboard.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
NUMBER_RULES = (
    "rpm",
    "tpm",
    "max_parallel",
    "tokens_per_day",
    "credits_per_day",
    "credits_per_month",
)
Endpoint = Callable[[Request], Awaitable[Response]]

TEMPLATES = Environment(
    loader=PackageLoader("copilot_gateway.surfaces.dashboard", "templates"),
    autoescape=True,  # every value is text, whatever it holds
    trim_blocks=True,
    lstrip_blocks=True,
)


def _time(at: datetime | None) -> str:
    at = pages.as_utc(at)
    return "-" if at is None else at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


TEMPLATES.filters["time"] = _time
TEMPLATES.filters["number"] = _number


class Dashboard:
    """The pages of one gateway, behind its admin token."""

    def __init__(self, gateway: Gateway, token: str, wrong_tokens: WrongTokens) -> None:
        self.gateway = gateway
        self.sessions = Sessions(token)
        self.wrong_tokens = wrong_tokens  # shared with the admin API's gate

    def routes(self) -> list[tuple[str, Endpoint, list[str]]]:
        page = self.page
        return [
            (PREFIX, page("overview", self.overview), ["GET"]),
            (f"{PREFIX}/accounts", page("accounts", self.accounts), ["GET"]),
            (f"{PREFIX}/keys", page("keys", self.keys), ["GET"]),
            (f"{PREFIX}/keys", self.form(self.create_key), ["POST"]),
            (f"{PREFIX}/keys/{{name}}", self.form(self.update_key), ["POST"]),
            (f"{PREFIX}/keys/{{name}}/revoke", self.form(self.revoke_key), ["POST"]),
            (f"{PREFIX}/models", page("models", self.models), ["GET"]),
            (f"{PREFIX}/requests", page("requests", self.requests), ["GET"]),
            (f"{PREFIX}/requests/{{row_id:int}}", page("requests", self.request), ["GET"]),
            (f"{PREFIX}/login", self.login_form, ["GET"]),
            (f"{PREFIX}/login", self.login, ["POST"]),
            (f"{PREFIX}/logout", self.form(self.logout), ["POST"]),
            (f"{PREFIX}/static/{{name}}", static, ["GET"]),
            # Last: any other path or method is the dashboard's 404 page, with its headers.
            (f"{PREFIX}/{{rest:path}}", not_found, ["GET", "HEAD", "POST"]),
        ]

    # Pages --------------------------------------------------------------------------

    def page(
        self, tab: str, gather: Callable[[Request], Awaitable[tuple[str, dict[str, Any]]]]
    ) -> Endpoint:
        """A page shown to a signed-in operator (others are sent to the login form)."""

        async def endpoint(request: Request) -> Response:
            try:
                session = await self.session(request)
                if session is None:
                    return redirect(f"{PREFIX}/login")
                template, context = await gather(request)
                status = context.pop("status", 200)
            except GatewayError as error:
                return html("error.html", {"error": error.message}, error.status)
            context |= {"tab": tab, "csrf": self.sessions.csrf(session)}
            return html(template, context, status)

        return endpoint

    async def session(self, request: Request) -> str | None:
        """The signed-in session's id: its cookie signed, unexpired and not logged out."""
        signed = self.sessions.session_of(request.cookies.get(SESSION_COOKIE))
        if signed is None or await self._ended(signed[0]):
            return None
        return signed[0]

    @reaching_the_database
    async def _ended(self, session_id: str) -> bool:
        return await dashboard_logouts.ended(await self.gateway.database.ready(), session_id)

    @reaching_the_database
    async def _engine(self) -> Any:
        return await self.gateway.database.ready()

    async def overview(self, request: Request) -> tuple[str, dict[str, Any]]:
        data = await pages.overview(await self._engine(), datetime.now(UTC))
        return "overview.html", data

    async def accounts(self, request: Request) -> tuple[str, dict[str, Any]]:
        return "accounts.html", {"accounts": await pages.accounts(self.gateway.upstream)}

    async def keys(self, request: Request, **extra: Any) -> tuple[str, dict[str, Any]]:
        engine = await self._engine()
        shown = await pages.keys(self.gateway.key_admin, engine, datetime.now(UTC))
        return "keys.html", {"keys": shown, **extra}

    async def models(self, request: Request) -> tuple[str, dict[str, Any]]:
        return "models.html", {"models": await pages.models(self.gateway.upstream)}

    async def requests(self, request: Request) -> tuple[str, dict[str, Any]]:
        asked = {name: request.query_params.get(name) or None for name in pages.FILTERS}
        try:
            filters, after = pages.listing_asked(asked, request.query_params.get("after"))
        except ValueError as problem:
            return "requests.html", {
                "rows": [],
                "filters": asked,
                "problem": str(problem),
                "status": 400,
            }
        return "requests.html", await pages.requests(await self._engine(), filters, after)

    async def request(self, request: Request) -> tuple[str, dict[str, Any]]:
        row = await recent.one(await self._engine(), request.path_params["row_id"])
        if row is None:
            return "error.html", {"error": "No such request in the ledger.", "status": 404}
        return "request.html", {"row": row}

    # Forms --------------------------------------------------------------------------

    def form(self, act: Callable[[Request, dict[str, str], str], Awaitable[Response]]) -> Endpoint:
        """A form's POST: from a signed-in operator, with the session's CSRF token."""

        async def endpoint(request: Request) -> Response:
            try:
                session = await self.session(request)
            except GatewayError as error:
                return html("error.html", {"error": error.message}, error.status)
            if session is None:
                return redirect(f"{PREFIX}/login")
            fields = await form_of(request)
            if not self.sessions.csrf_ok(session, fields.get("csrf")):
                return refused_csrf()
            return await act(request, fields, session)

        return endpoint

    async def create_key(self, request: Request, fields: dict[str, str], session: str) -> Response:
        try:
            secret, key = await self.gateway.key_admin.create(
                fields.get("name", ""), rules_of(fields)
            )
        except GatewayError as error:
            return await self.keys_again(request, session, error)
        await self.gateway.runtime_keys.refresh()
        context = {"key": key, "secret": secret, "tab": "keys", "csrf": self.sessions.csrf(session)}
        return html("created.html", context, 201)

    async def update_key(self, request: Request, fields: dict[str, str], session: str) -> Response:
        try:
            await self.gateway.key_admin.update(request.path_params["name"], rules_of(fields))
        except GatewayError as error:
            return await self.keys_again(request, session, error)
        await self.gateway.runtime_keys.refresh()
        return redirect(f"{PREFIX}/keys")

    async def revoke_key(self, request: Request, fields: dict[str, str], session: str) -> Response:
        try:
            await self.gateway.key_admin.revoke(request.path_params["name"])
        except GatewayError as error:
            return await self.keys_again(request, session, error)
        await self.gateway.runtime_keys.refresh()
        return redirect(f"{PREFIX}/keys")

    async def keys_again(self, request: Request, session: str, error: GatewayError) -> Response:
        """The keys page, saying what was wrong with the form."""
        try:
            template, context = await self.keys(request, problem=error.message)
        except GatewayError as unreachable:
            template, context = "error.html", {"error": unreachable.message}
        context |= {"tab": "keys", "csrf": self.sessions.csrf(session)}
        return html(template, context, error.status)

    # Login and logout -----------------------------------------------------------------

    async def login_form(
        self, request: Request, problem: str | None = None, status: int = 200
    ) -> Response:
        binding = request.cookies.get(LOGIN_COOKIE) or self.sessions.start()
        context = {"csrf": self.sessions.csrf(binding), "problem": problem}
        response = html("login.html", context, status)
        set_cookie(response, request, LOGIN_COOKIE, binding, LOGIN_SECONDS, self.gateway)
        return response

    async def login(self, request: Request) -> Response:
        peer = request.client.host if request.client else "-"
        if (wait := await self.wrong_tokens.retry_after(peer)) is not None:
            response = await self.login_form(
                request, "Too many wrong logins: try again later.", 429
            )
            response.headers["Retry-After"] = str(wait)
            return response
        fields = await form_of(request)
        if not self.sessions.csrf_ok(request.cookies.get(LOGIN_COOKIE), fields.get("csrf")):
            return refused_csrf()
        if not self.sessions.is_token(fields.get("token", "")):
            await self.wrong_tokens.wrong(peer)
            return await self.login_form(request, "Wrong admin token.", 401)
        response = redirect(PREFIX)
        set_cookie(
            response, request, SESSION_COOKIE, self.sessions.start(), SESSION_SECONDS, self.gateway
        )
        response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
        return response

    @reaching_the_database
    async def _end(self, session_id: str, expires_at: int) -> None:
        engine = await self.gateway.database.ready()
        await dashboard_logouts.end(engine, session_id, expires_at, time.time())

    async def logout(self, request: Request, fields: dict[str, str], session: str) -> Response:
        signed = self.sessions.session_of(request.cookies.get(SESSION_COOKIE))
        if signed is not None:
            try:
                await self._end(*signed)
            except GatewayError as error:  # not ended: say so, rather than seem logged out
                return html("error.html", {"error": error.message}, error.status)
        response = redirect(f"{PREFIX}/login")
        response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response


async def not_found(request: Request) -> Response:
    return html("error.html", {"error": "No such page of the dashboard."}, 404)


def dashboard_off_routes() -> list[tuple[str, Endpoint, list[str]]]:
    """Without an admin token: every dashboard path says so, as a 404 page."""

    async def off(request: Request) -> Response:
        return html("off.html", {}, 404)

    return [(PREFIX, off, ["GET", "POST"]), (f"{PREFIX}/{{rest:path}}", off, ["GET", "POST"])]


def rules_of(fields: dict[str, str]) -> dict[str, Any]:
    """A key form's rules: each field left empty is unset (unlimited, every model)."""
    rules: dict[str, Any] = {name: fields.get(name, "").strip() or None for name in NUMBER_RULES}
    for name in ("allow", "deny"):
        rules[name] = fields.get(name, "").replace(",", " ").split() or None
    return rules


async def form_of(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (the first of each name)."""
    body = (await request.body()).decode("utf-8", "replace")
    return {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}


def html(template: str, context: dict[str, Any], status: int = 200) -> Response:
    body = TEMPLATES.get_template(template).render(prefix=PREFIX, **context)
    return Response(body, status, headers=HEADERS, media_type="text/html; charset=utf-8")


def redirect(path: str) -> Response:
    return RedirectResponse(path, 303, headers=HEADERS)


def refused_csrf() -> Response:
    return html(
        "error.html",
        {"error": "The form's CSRF token is missing or wrong: reload the page and try again."},
        403,
    )


def set_cookie(
    response: Response, request: Request, name: str, value: str, seconds: int, gateway: Gateway
) -> None:
    """HttpOnly and SameSite=Strict; Secure when the gateway is reached over https."""
    public = gateway.settings.public_url or ""
    secure = request.url.scheme == "https" or public.startswith("https:")
    response.set_cookie(
        name, value, max_age=seconds, path=PREFIX, secure=secure, httponly=True, samesite="strict"
    )


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        return Response("Not found", 404, headers=HEADERS, media_type="text/plain")
    body = resources.files(__package__).joinpath("static", name).read_bytes()
    cached = {**HEADERS, "Cache-Control": "max-age=3600"}
    return Response(body, headers=cached, media_type=STATIC[name])
