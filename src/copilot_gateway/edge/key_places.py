"""Where a request may carry its key: what the spec documents' security schemes name (a
bearer token, a header of its own such as Anthropic's `x-api-key`, a query parameter such as
Gemini's `?key=`). Read from the documents, so a new surface brings its own with its spec."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Scope

BEARER = "bearer"


@dataclass(frozen=True)
class KeyPlace:
    """One place a key may be sent: `where` names it the way connexion's security handlers
    find it again (`bearer`, a lower-cased header name, or `?` and a query parameter)."""

    where: str

    @property
    def header(self) -> bytes | None:
        is_header = self.where != BEARER and not self.where.startswith("?")
        return self.where.encode("latin-1") if is_header else None

    @property
    def query(self) -> str | None:
        return self.where[1:] if self.where.startswith("?") else None


def place_of(scheme: dict[str, Any]) -> KeyPlace | None:
    """The place a security scheme names, if it is one the gateway checks keys in."""
    if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return KeyPlace(BEARER)
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        return KeyPlace(str(scheme["name"]).lower())
    if scheme.get("type") == "apiKey" and scheme.get("in") == "query":
        return KeyPlace("?" + str(scheme["name"]))
    return None


def places_in(specs: Iterable[dict[str, Any]]) -> frozenset[KeyPlace]:
    """Every place the documents' security schemes name."""
    return frozenset(
        place
        for spec in specs
        for scheme in spec.get("components", {}).get("securitySchemes", {}).values()
        if (place := place_of(scheme)) is not None
    )


class KeyPlaces:
    """The places every served document names, laid out once for the gate's per-request
    look (headers by their raw name, query parameters by theirs)."""

    def __init__(self, places: frozenset[KeyPlace]) -> None:
        self.bearer = KeyPlace(BEARER) in places
        self.headers = {place.header: place.where for place in places if place.header}
        self.queries = {place.query: place.where for place in places if place.query}

    def presented(self, scope: Scope) -> list[tuple[str, str]]:
        """The keys a request carries in any of these places, each with where it was sent."""
        keys = []
        for name, value in scope["headers"]:
            if name == b"authorization" and self.bearer:
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and token.strip():
                    keys.append((BEARER, token.strip()))
            elif name in self.headers:
                keys.append((self.headers[name], value.decode("latin-1")))
        if self.queries and scope.get("query_string"):
            query = scope["query_string"].decode("latin-1")
            for name, value in parse_qsl(query, keep_blank_values=False):
                if name in self.queries:
                    keys.append((self.queries[name], value))
        return keys
