"""The dependencies' private names the gateway uses (see `private_apis`) all still exist, with
the parameters we call or override them with; the one behaviour of connexion we rely on
still holds; and our one override of connexion is scoped to building our app."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
from typing import Any

import httpx
import pytest
from connexion import AsyncApp
from connexion.exceptions import InvalidSpecification
from connexion.middleware import MiddlewarePosition
from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.resolver import Resolver
from connexion.spec import OpenAPISpecification, Specification
from starlette.types import ASGIApp, Receive, Scope, Send

from copilot_gateway.app import build
from copilot_gateway.private_apis import PRIVATE_APIS, PrivateApi
from copilot_gateway.settings import Settings
from copilot_gateway.spec.documents import meta_schema_checked_once


def resolved(api: PrivateApi) -> object:
    target: object = importlib.import_module(api.module)
    for part in api.name.split("."):
        assert hasattr(target, part), f"{api.module}.{api.name} is gone; used in {api.use}"
        target = getattr(target, part)
    return target


@pytest.mark.parametrize("api", PRIVATE_APIS, ids=[f"{a.module}.{a.name}" for a in PRIVATE_APIS])
def test_a_private_name_we_rely_on_is_still_there_with_its_parameters(api: PrivateApi) -> None:
    owner, _, attribute = api.name.partition("()")
    if attribute:  # set on instances: look for the assignment in the class or its bases
        cls = getattr(importlib.import_module(api.module), owner)
        sources = [
            inspect.getsource(k) for k in cls.__mro__ if k.__module__.split(".")[0] in api.module
        ]
        assignment = re.compile(rf"self\.{attribute.lstrip('.')}(: [^=]+)? =")  # annotated too
        assert any(assignment.search(source) for source in sources), api.use
        return
    target = resolved(api)
    if api.parameters is not None:
        assert callable(target), f"{api.module}.{api.name} is no longer callable ({api.use})"
        parameters = tuple(inspect.signature(target).parameters)
        assert parameters == api.parameters, f"{api.module}.{api.name} changed ({api.use})"


def test_every_callable_we_rely_on_lists_its_parameters() -> None:
    unlisted = [
        f"{api.module}.{api.name}"
        for api in PRIVATE_APIS
        if "()" not in api.name and api.parameters is None and inspect.isroutine(resolved(api))
    ]
    assert unlisted == []


TINY_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "tiny", "version": "1"},
    "paths": {
        "/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "pong"}}}}
    },
}


def test_connexion_hands_its_inner_layers_the_outer_scope_state() -> None:
    """The request's call lives in the scope's `state` (see `call`): connexion's copies of
    the scope, behind its router, must share that dict, and carry the routing extension."""
    seen: dict[str, Any] = {}

    class Outer:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                seen["outer"] = scope.setdefault("state", {})
            await self.app(scope, receive, send)

    class Inner:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                seen["inner"] = scope["state"]
                seen["operation"] = scope["extensions"][ROUTING_CONTEXT]["operation_id"]
            await self.app(scope, receive, send)

    async def ping() -> dict[str, bool]:
        return {"ok": True}

    app = AsyncApp(__name__)
    app.add_api(TINY_SPEC, resolver=Resolver(function_resolver=lambda _: ping))
    app.add_middleware(Outer, MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(Inner, MiddlewarePosition.BEFORE_CONTEXT)

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tiny") as client:
            return await client.get("/ping")

    assert asyncio.run(get()).status_code == 200
    assert seen["inner"] is seen["outer"]
    assert seen["operation"] == "ping"


def connexion_check_in_place() -> bool:
    return "_validate_spec" not in vars(OpenAPISpecification) and (
        OpenAPISpecification._validate_spec.__func__  # type: ignore[attr-defined]
        is vars(Specification)["_validate_spec"].__func__
    )


def test_building_our_app_leaves_connexion_its_own_spec_check() -> None:
    assert connexion_check_in_place()  # importing the app changed nothing
    build(Settings())
    assert connexion_check_in_place()


def test_a_document_is_still_checked_while_our_app_adds_its_documents() -> None:
    invalid = {**TINY_SPEC, "paths": {"/ping": {"get": {"operationId": "ping"}}}}  # no responses
    with meta_schema_checked_once():
        assert not connexion_check_in_place()
        for _ in range(2):  # refused every time: only a document that passed is remembered
            with pytest.raises(InvalidSpecification):
                OpenAPISpecification(dict(invalid))
        OpenAPISpecification(dict(TINY_SPEC))
    assert connexion_check_in_place()
