"""connexion's router, with every API that shares a base path reachable.

connexion mounts each API at its base path, and chains one added at a base path already
taken as the fallback of the earlier ones: a request no route of the first API matches goes
on to the next. But it makes the newest API the fallback of *every* earlier one, so with a
third API the second drops out of the chain (the first falls straight through to the third).
Every surface is mounted at the root (see `spec.documents.mounted_at_full_paths`), so here
each API falls through to the one added after it, in the order they were added, and the
last to connexion's own default (the next middleware, which answers 404 or 405).
"""

from __future__ import annotations

import itertools
from typing import Any

from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.routing import RoutingMiddleware
from starlette.routing import Mount, Router


class ChainedRoutingMiddleware(RoutingMiddleware):
    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        chains: dict[str, list[Router]] = {}
        for route in self.router.routes:
            if isinstance(route, Mount) and isinstance(route.app, Router):
                chains.setdefault(route.path, []).append(route.app)
        for routers in chains.values():
            for earlier, later in itertools.pairwise(routers):
                earlier.default = later  # type: ignore[assignment]


def chained_middlewares() -> list[Any]:
    """connexion's middleware stack, with its router replaced by the chained one."""
    return [
        ChainedRoutingMiddleware if middleware is RoutingMiddleware else middleware
        for middleware in ConnexionMiddleware.default_middlewares
    ]
