"""The application, assembled in one place: settings in, the served app out.

uvicorn ─► WebSockets (`GET /v1/responses` upgraded: see `edge.websockets`)
       ─► request id ─► call (record, access log, metrics) ─► admin gate ─► key gate
       ─► public URL
       ─► body limit ─► limits' settling
       ─► connexion: routing ─► security ─► validation ─► limits' admission ─► handler
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from connexion import AsyncApp
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from .access.keys import AuthRefused, KeyRing, auth_required
from .access.rules import AccessConfig
from .access.runtime_keys import active_keys_now
from .access.wrong_tokens import WrongTokens
from .call import answer_was_checked, keep_body
from .config_file import ConfigFileError, describe
from .edge import error_handlers
from .edge.admin_gate import AdminGateMiddleware
from .edge.body_limit import BodyLimitMiddleware
from .edge.calls import CallMiddleware, NoteOperationMiddleware, call_handlers_directly
from .edge.client_connections import ClientWebSocketProtocol
from .edge.descriptors import connections_allowed
from .edge.http_protocol import ApiErrorsHttpToolsProtocol, ConnectionLimits
from .edge.key_gate import KeyCheck, KeyGateMiddleware
from .edge.key_limits import AdmitMiddleware, SettleMiddleware
from .edge.key_places import places_in
from .edge.public_url import PublicUrlMiddleware, base_url
from .edge.request_id import RequestIdMiddleware
from .edge.routing import chained_middlewares
from .edge.security import GatewayApiKey, GatewayBearer
from .edge.shutdown import drain_on_signals
from .edge.websockets import WebSocketMiddleware
from .gateway import Gateway
from .key_limits.limiter import Limiter
from .key_limits.store import store_for
from .observability import metrics
from .observability.quota import quota_endpoint
from .settings import Settings, is_loopback
from .spec.documents import (
    load_spec,
    meta_schema_checked_once,
    mounted_at_full_paths,
    published,
    without_security,
)
from .spec.requests import Bodies, validator_map
from .spec.schemas import compile_operations, naming_components
from .state.database import database_url
from .surfaces.dashboard.routes import Dashboard, dashboard_off_routes
from .surfaces.registry import OPERATOR_SURFACES, SURFACES
from .upstream_from_settings import build_upstream


class ConfigurationError(Exception):
    """Settings that must not, or cannot, be served."""


@dataclass
class Built:
    app: AsyncApp
    gateway: Gateway
    warning: str | None  # to show at start-up (e.g. serving without keys)


def build(settings: Settings) -> Built:
    """The app for these settings, the gateway it serves, and a warning to show.

    Raises ConfigurationError when the settings must not or cannot be served.
    """
    try:
        access = AccessConfig.load(settings.config_file)
    except ConfigFileError as problem:
        raise ConfigurationError(str(problem)) from None
    except ValidationError as problem:
        rules = f"the access rules in {settings.config_file}"
        raise ConfigurationError(f"{rules}:\n{describe(problem, settings=False)}") from None
    keys = KeyRing(settings.api_keys, access.keys)
    try:
        auth_enabled, warning = auth_required(
            keys,
            settings.auth_disabled,
            settings.auth_disabled_force,
            is_loopback(settings.host),
            admin_token=settings.admin_token is not None,
            runtime_keys=lambda: active_keys_now(database_url(settings)),
        )
        upstream, description = build_upstream(settings)
    except (AuthRefused, ValueError) as refusal:
        raise ConfigurationError(str(refusal)) from None
    gateway = Gateway(settings, upstream, description, access)
    return Built(create_app(gateway, gateway.key_ring if auth_enabled else None), gateway, warning)


def create_app(gateway: Gateway, keys: KeyRing | None) -> AsyncApp:
    """The ASGI app serving every surface's operations; `keys=None` serves without auth."""
    settings = gateway.settings
    limiter = limiter_for(gateway)
    # The dashboard's logins and the admin API's, counted together.
    wrong_tokens = WrongTokens(limiter.store, settings.admin_wrong_tokens_per_minute)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        drain_on_signals(gateway.draining)
        await limiter.check()
        await gateway.ledger.start()
        if keys is not None:
            await gateway.runtime_keys.start()
        await gateway.warm_up()
        # What start-up built (the specs, resolved, and their validators: a few hundred
        # thousand objects) lives as long as the process: out of the collector's sight, where
        # each full collection would walk it all again (80 ms each, 15% of a busy process).
        gc.collect()
        gc.freeze()
        # Requests make many short-lived objects: at the default (a collection every 700
        # allocations) the collector took three times as long under load as at 5,000.
        gc.set_threshold(5000, 10, 10)
        yield
        await gateway.upstream.aclose()
        await limiter.aclose()
        await gateway.responses.aclose()
        await gateway.completions.aclose()
        await gateway.ledger.aclose()  # after the upstream: every request has ended
        await gateway.runtime_keys.aclose()
        await gateway.database.aclose()
        metrics.forget_this_process()

    app = AsyncApp(
        __name__,
        lifespan=lifespan,
        # Every surface is mounted at the root: each stays in the router's chain, in the
        # registry's order (see `edge.routing`).
        middlewares=chained_middlewares([s.name for s in SURFACES + OPERATOR_SURFACES]),
        validate_responses=True,
        validator_map=validator_map(
            gateway.answers.reject,
            Bodies(settings.max_json_depth, settings.max_json_values, keep=keep_body),
            answered=answer_was_checked,
        ),
        # Keys are checked once, by the gate (see `edge.key_gate`); these read its result.
        security_map={"bearer": GatewayBearer, "apiKey": GatewayApiKey},
        swagger_ui_options=SwaggerUIOptions(
            serve_spec=False, swagger_ui_path="/docs", swagger_ui_config={"url": "/openapi.json"}
        ),
    )
    call_handlers_directly(app)
    specs = {surface.name: load_spec(surface.document) for surface in SURFACES}
    admin_token = settings.admin_token
    operator = OPERATOR_SURFACES if admin_token is not None else ()
    with meta_schema_checked_once():
        for surface in SURFACES + operator:
            spec = load_spec(surface.document)
            compile_operations(surface.document)
            # The admin token is checked by its gate, never by connexion's (client keys'):
            # its document is published with its scheme, served without.
            client_keys = keys is not None and surface not in operator
            served = spec if client_keys else without_security(spec)
            resolver = Resolver(function_resolver=surface.handler)
            named = naming_components(mounted_at_full_paths(served), surface.document)
            app.add_api(named, resolver=resolver, name=surface.name)
            app.add_url_rule(
                surface.published_at(),
                surface.name + "_spec",
                spec_endpoint(spec if surface in operator else served, gateway.settings),
                methods=["GET"],
            )
    token = gateway.settings.metrics_token
    app.add_url_rule("/metrics", "metrics", metrics.metrics_endpoint(token), methods=["GET"])
    quota = metrics.behind_operator_token(token, quota_endpoint(gateway.upstream))
    app.add_url_rule("/quota", "quota", quota, methods=["GET"])
    pages = (
        Dashboard(gateway, admin_token.get_secret_value(), wrong_tokens).routes()
        if admin_token is not None
        else dashboard_off_routes()
    )
    for path, endpoint, methods in pages:
        app.add_url_rule(path, f"dashboard {' '.join(methods)} {path}", endpoint, methods=methods)
    error_handlers.install(app)
    check = (
        KeyCheck(keys, places_in(specs.values()), gateway.runtime_keys)
        if keys is not None
        else None
    )
    # connexion puts each one inside those added before it. WebSockets first: connexion
    # routes HTTP only. Then the request id, then the call, which sees every answer (a 413
    # from the body limit included).
    app.add_middleware(
        WebSocketMiddleware,
        MiddlewarePosition.BEFORE_EXCEPTION,
        gateway=gateway,
        check=check,
        limiter=limiter,
    )
    app.add_middleware(RequestIdMiddleware, MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(CallMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, gateway=gateway)
    if admin_token is not None:
        app.add_middleware(
            AdminGateMiddleware,
            MiddlewarePosition.BEFORE_EXCEPTION,
            token=admin_token,
            wrong_tokens=wrong_tokens,
        )
    if check is not None:  # a wrong key is 401 before routing: unknown paths included
        app.add_middleware(KeyGateMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, check=check)
    app.add_middleware(NoteOperationMiddleware, MiddlewarePosition.BEFORE_SECURITY)
    app.add_middleware(
        PublicUrlMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, settings=gateway.settings
    )
    app.add_middleware(
        BodyLimitMiddleware,
        MiddlewarePosition.BEFORE_EXCEPTION,
        max_bytes=gateway.settings.max_body_bytes,
        timeout=gateway.settings.body_timeout,
        total_timeout=gateway.settings.body_total_timeout,
    )
    app.add_middleware(SettleMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, limiter=limiter)
    app.add_middleware(AdmitMiddleware, MiddlewarePosition.BEFORE_CONTEXT, limiter=limiter)
    return app


def limiter_for(gateway: Gateway) -> Limiter:
    """The per-key limits and budgets, counted in Redis when a URL is set. Keys are looked
    up by name at each request: a config-file key's rules, else a runtime key's as this
    process knows it now, so a key made, changed or revoked at runtime is limited at once."""
    url = gateway.settings.redis_url
    return Limiter(gateway.access.entry, store_for(url.get_secret_value() if url else None))


def spec_endpoint(spec: dict[str, Any], settings: Settings) -> Any:
    """Serves the spec with this gateway's URL as its server (see `edge.public_url`)."""

    @functools.lru_cache(maxsize=16)
    def spec_json(server: str) -> bytes:
        # The standard library, as the spec holds integers past orjson's 64-bit range.
        return json.dumps(published(spec, server)).encode()

    async def endpoint(request: Request) -> Response:
        return Response(spec_json(base_url(settings, request.scope)), media_type="application/json")

    return endpoint


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves the gateway, for `serve` and for the tests alike."""
    return {
        "host": settings.host,
        "port": settings.port,
        "timeout_keep_alive": settings.keep_alive_seconds,
        # A WebSocket frame past it is closed with 1009 (see `edge.websockets`).
        "ws_max_size": settings.websocket_max_frame_bytes,
        # The peer address must stay the real one: access rules trust only configured proxies.
        "proxy_headers": False,
        # Streams end themselves (with an error event) after the grace period; this is later.
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds + 5,
        # Limits on what reaches the app (header size, slow heads, open connections), and
        # requests uvicorn's parser rejects answered as API errors too.
        "http": functools.partial(ApiErrorsHttpToolsProtocol, limits=connection_limits(settings)),
        "ws": functools.partial(
            ClientWebSocketProtocol, write_timeout=settings.write_timeout_seconds
        ),
        # Ours (see `observability.logs`): uvicorn's loggers pass through our handler.
        "log_config": None,
        "access_log": False,
    }


def connection_limits(settings: Settings) -> ConnectionLimits:
    return ConnectionLimits(
        max_header_bytes=settings.max_header_bytes,
        first_byte_timeout=settings.first_byte_timeout,
        request_head_timeout=settings.request_head_timeout,
        max_connections=connections_allowed(settings.max_connections),
        write_timeout=settings.write_timeout_seconds,
    )
