"""The application, assembled in one place: settings in, the served app out.

uvicorn ─► request id ─► call (record, access log, metrics) ─► body limit
       ─► connexion: routing ─► security ─► validation ─► handler of the surface
"""

from __future__ import annotations

import contextlib
import functools
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
from .config_file import ConfigFileError, describe
from .edge import error_handlers
from .edge.body_limit import BodyLimitMiddleware
from .edge.calls import CallMiddleware, NoteOperationMiddleware, endpoint_for
from .edge.http_protocol import ApiErrorsHttpToolsProtocol
from .edge.request_id import RequestIdMiddleware
from .edge.security import bearer_handler_for
from .edge.shutdown import drain_on_signals
from .gateway import Gateway
from .observability import metrics
from .settings import Settings, is_loopback
from .spec.answers import AnswerChecks
from .spec.documents import load_spec, mounted_at_full_paths, published, without_security
from .spec.requests import validator_map
from .surfaces.base import Surface
from .surfaces.registry import DEFAULT, SURFACES
from .upstreams.build import build_upstream


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
        )
        upstream, description = build_upstream(settings)
    except (AuthRefused, ValueError) as refusal:
        raise ConfigurationError(str(refusal)) from None
    gateway = Gateway(settings, upstream, description, access)
    return Built(create_app(gateway, keys if auth_enabled else None), gateway, warning)


def published_path(surface: Surface) -> str:
    """Where a surface's spec is served: OpenAI's at /openapi.json, as clients expect."""
    return "/openapi.json" if surface is DEFAULT else f"/openapi/{surface.name}.json"


def create_app(gateway: Gateway, keys: KeyRing | None) -> AsyncApp:
    """The ASGI app serving every surface's operations; `keys=None` serves without auth."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        drain_on_signals(gateway.draining)
        yield
        await gateway.upstream.aclose()
        await gateway.responses.aclose()
        metrics.forget_this_process()

    app = AsyncApp(
        __name__,
        lifespan=lifespan,
        validate_responses=True,
        validator_map=validator_map(gateway.settings.upstream_validation == "reject"),
        security_map={"bearer": bearer_handler_for(keys or KeyRing([]))},
        swagger_ui_options=SwaggerUIOptions(
            serve_spec=False, swagger_ui_path="/docs", swagger_ui_config={"url": "/openapi.json"}
        ),
    )
    for surface in SURFACES:
        spec = load_spec(surface.document)
        AnswerChecks.compile(surface.document)
        served = spec if keys is not None else without_security(spec)
        resolver = Resolver(function_resolver=lambda id, s=surface: endpoint_for(s.handler(id)))
        app.add_api(mounted_at_full_paths(served), resolver=resolver, name=surface.name)
        app.add_url_rule(
            published_path(surface), surface.name + "_spec", spec_endpoint(served), methods=["GET"]
        )
    metrics_endpoint = metrics.metrics_endpoint(gateway.settings.metrics_token)
    app.add_url_rule("/metrics", "metrics", metrics_endpoint, methods=["GET"])
    error_handlers.install(app)
    # connexion puts each one inside those added before it: the request id comes first,
    # then the call, which sees every answer (a 413 from the body limit included).
    app.add_middleware(RequestIdMiddleware, MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(CallMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, gateway=gateway)
    app.add_middleware(NoteOperationMiddleware, MiddlewarePosition.BEFORE_SECURITY)
    app.add_middleware(
        BodyLimitMiddleware,
        MiddlewarePosition.BEFORE_EXCEPTION,
        max_bytes=gateway.settings.max_body_bytes,
        timeout=gateway.settings.body_timeout,
    )
    return app


def spec_endpoint(spec: dict[str, Any]) -> Any:
    """Serves the spec with this gateway's URL as its server."""

    @functools.lru_cache(maxsize=16)
    def spec_json(base_url: str) -> bytes:
        # The standard library, as the spec holds integers past orjson's 64-bit range.
        return json.dumps(published(spec, base_url)).encode()

    async def endpoint(request: Request) -> Response:
        base_url = str(request.base_url).rstrip("/")
        return Response(spec_json(base_url), media_type="application/json")

    return endpoint


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves the gateway, for `serve` and for the tests alike."""
    return {
        "host": settings.host,
        "port": settings.port,
        "timeout_keep_alive": settings.keep_alive_seconds,
        # The peer address must stay the real one: access rules trust only configured proxies.
        "proxy_headers": False,
        # Streams end themselves (with an error event) after the grace period; this is later.
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds + 5,
        # Requests uvicorn's parser rejects are answered as API errors too.
        "http": ApiErrorsHttpToolsProtocol,
        # Ours (see `observability.logs`): uvicorn's loggers pass through our handler.
        "log_config": None,
        "access_log": False,
    }
