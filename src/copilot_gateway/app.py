"""The application: connexion built from the spec, our validators, auth and errors."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import AsyncIterator
from typing import Any

from connexion import AsyncApp
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from . import conformance, error_handlers, metrics
from .api import handler_for
from .auth import KeyRing, bearer_handler_for
from .body_limit import BodyLimitMiddleware
from .observe import NoteOperationMiddleware, ObserveMiddleware
from .request_id import RequestIdMiddleware, install_log_field
from .service import Gateway
from .shutdown import drain_on_signals
from .spec import load_spec, mounted_at_full_paths, published, without_security
from .validation import validator_map


class GatewayContext:
    """Puts the gateway into every request's scope, for handlers to reach."""

    def __init__(self, app: ASGIApp, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["gateway"] = self.gateway
        await self.app(scope, receive, send)


def create_app(gateway: Gateway, *, auth_enabled: bool) -> AsyncApp:
    """The ASGI app serving the spec's operations through `gateway.upstream`."""
    install_log_field()
    spec = load_spec() if auth_enabled else without_security(load_spec())
    conformance.compile_all()
    keys = KeyRing(gateway.settings.api_keys, gateway.access.keys)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        drain_on_signals(gateway.draining)
        yield
        await gateway.upstream.aclose()
        metrics.forget_this_process()

    app = AsyncApp(
        __name__,
        lifespan=lifespan,
        validate_responses=True,
        validator_map=validator_map(gateway.settings.upstream_validation == "reject"),
        security_map={"bearer": bearer_handler_for(keys)},
        swagger_ui_options=SwaggerUIOptions(
            serve_spec=False, swagger_ui_path="/docs", swagger_ui_config={"url": "/openapi.json"}
        ),
    )
    app.add_api(mounted_at_full_paths(spec), resolver=Resolver(function_resolver=handler_for))

    @functools.lru_cache(maxsize=16)
    def spec_json(base_url: str) -> bytes:
        # The standard library, as the spec holds integers past orjson's 64-bit range.
        return json.dumps(published(spec, base_url)).encode()

    async def openapi_json(request: Request) -> Response:
        base_url = str(request.base_url).rstrip("/")
        return Response(spec_json(base_url), media_type="application/json")

    app.add_url_rule("/openapi.json", "openapi_json", openapi_json, methods=["GET"])
    metrics_endpoint = metrics.metrics_endpoint(gateway.settings.metrics_token)
    app.add_url_rule("/metrics", "metrics", metrics_endpoint, methods=["GET"])
    error_handlers.install(app)
    # connexion puts each one inside those added before it: the request id comes first,
    # then the record that sees every answer (a 413 from the body limit included).
    app.add_middleware(RequestIdMiddleware, MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(ObserveMiddleware, MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(GatewayContext, MiddlewarePosition.BEFORE_EXCEPTION, gateway=gateway)
    app.add_middleware(NoteOperationMiddleware, MiddlewarePosition.BEFORE_SECURITY)
    app.add_middleware(
        BodyLimitMiddleware,
        MiddlewarePosition.BEFORE_EXCEPTION,
        max_bytes=gateway.settings.max_body_bytes,
        timeout=gateway.settings.body_timeout,
    )
    return app
