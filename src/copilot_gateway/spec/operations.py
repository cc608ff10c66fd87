"""The operations a spec document serves, as data: the trim script, the app and the tests
all read these lists, so what the gateway serves is said once per surface."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # without its server prefix, as the official document names it
    summary: str
    # Where it is mounted: the document's `/v1`, or beside it (aliases, our own paths).
    servers: tuple[str, ...] = ("/v1",)
    # `official`: taken from the official document; `alias`: a copy of `alias_of` under
    # another path; `ours`: an operation the official API does not have.
    origin: Literal["official", "alias", "ours"] = "official"
    alias_of: str | None = None

    def mounted_paths(self) -> list[str]:
        return [server.rstrip("/") + self.path for server in self.servers]

    def is_mounted_at(self, path: str) -> bool:
        """Whether a request path is one of this operation's (parameters match a segment)."""
        return any(
            re.fullmatch(re.sub(r"\{[^/}]+\}", "[^/]+", mounted), path)
            for mounted in self.mounted_paths()
        )
