"""connexion's router, with every API that shares a base path reachable, in our order.

connexion mounts each API at its base path, and chains one added at a base path already
taken as the fallback of the earlier ones: a request no route of the first API matches goes
on to the next. Two things in that go wrong for APIs that share a base path (every surface
is mounted at the root: see `spec.documents.mounted_at_full_paths`):

- it makes the newest API the fallback of *every* earlier one, so with a third API the
  second drops out of the chain (the first falls straight through to the third);
- it adds them in an order of its own (sorted by base path: equal ones in no set order),
  and the order matters: a path one API serves for another method (OpenAI's `GET
  /v1/models/{model}` for google-genai's `POST /v1/models/{model}:generateContent`) stops
  the chain there with a 405.

So here the APIs at one base path are chained in the order the app names them (`order`,
by each API's name), each falling through to the next, the last to connexion's own default
(the next middleware, which answers 404 or 405).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import Any

from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.routing import RoutingMiddleware
from starlette.routing import BaseRoute, Mount, Router
from starlette.types import ASGIApp


class ChainedRoutingMiddleware(RoutingMiddleware):
    def __init__(self, app: ASGIApp, order: Sequence[str] = ()) -> None:
        super().__init__(app)
        self.order = list(order)
        self.names: dict[int, str] = {}  # each API's router (by id) -> the API's name
        self.ends: dict[int, ASGIApp] = {}  # each API's router -> where it fell through first

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        newest = self.router.routes[-1]
        assert isinstance(newest, Mount) and isinstance(newest.app, Router)
        self.names[id(newest.app)] = str(kwargs.get("name", ""))
        self.ends[id(newest.app)] = newest.app.default
        self.rechain()

    def rank(self, route: BaseRoute) -> int:
        name = self.names.get(id(getattr(route, "app", None)), "")
        return self.order.index(name) if name in self.order else len(self.order)

    def rechain(self) -> None:
        mounts = [route for route in self.router.routes if isinstance(route, Mount)]
        # Starlette tries routes in their order: the first of a base path's chain goes first,
        # where connexion put that base path (the most specific base paths first).
        first: dict[str, int] = {}
        for n, route in enumerate(mounts):
            first.setdefault(route.path, n)
        ordered = iter(sorted(mounts, key=lambda route: (first[route.path], self.rank(route))))
        self.router.routes = [
            next(ordered) if isinstance(route, Mount) else route for route in self.router.routes
        ]
        chains: dict[str, list[Router]] = {}
        for route in self.router.routes:
            if isinstance(route, Mount) and isinstance(route.app, Router):
                chains.setdefault(route.path, []).append(route.app)
        for routers in chains.values():
            for earlier, later in itertools.pairwise(routers):
                earlier.default = later  # type: ignore[assignment]
            routers[-1].default = self.ends[id(routers[-1])]  # type: ignore[assignment]


def chained_middlewares(order: Sequence[str]) -> list[Any]:
    """connexion's middleware stack, with its router replaced by the chained one, which
    chains the APIs at one base path in `order` (their names)."""
    chained = functools.partial(ChainedRoutingMiddleware, order=order)
    return [
        chained if middleware is RoutingMiddleware else middleware
        for middleware in ConnexionMiddleware.default_middlewares
    ]
