"""Where the key gate looks for keys: the places the spec documents' security schemes name,
so a surface that takes keys elsewhere (a header of its own, a query parameter) brings them
with its document and the edge learns nothing new."""

from __future__ import annotations

from copilot_gateway.edge.key_places import BEARER, KeyPlace, KeyPlaces, places_in
from copilot_gateway.spec.documents import load_spec
from copilot_gateway.surfaces.registry import SURFACES


def scope(headers: list[tuple[bytes, bytes]], query: bytes = b"") -> dict:
    return {"type": "http", "headers": headers, "query_string": query}


def test_the_served_documents_name_a_bearer_token_and_each_surfaces_own_places() -> None:
    places = places_in(load_spec(surface.document) for surface in SURFACES)
    assert places == {
        KeyPlace(BEARER),
        KeyPlace("x-api-key"),
        KeyPlace("x-goog-api-key"),
        KeyPlace("?key"),
    }


def test_a_query_parameter_scheme_is_a_place_too() -> None:
    spec = {
        "components": {
            "securitySchemes": {
                "header": {"type": "apiKey", "in": "header", "name": "X-Goog-Api-Key"},
                "query": {"type": "apiKey", "in": "query", "name": "key"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            }
        }
    }
    assert places_in([spec]) == {KeyPlace("x-goog-api-key"), KeyPlace("?key")}


def test_keys_are_found_in_every_place_named_and_nowhere_else() -> None:
    places = frozenset({KeyPlace(BEARER), KeyPlace("x-goog-api-key"), KeyPlace("?key")})
    request = scope(
        [
            (b"authorization", b"Bearer  sk-one "),
            (b"x-goog-api-key", b"sk-two"),
            (b"x-api-key", b"sk-not-looked-at"),
        ],
        b"alt=sse&key=sk-three",
    )
    assert KeyPlaces(places).presented(request) == [
        (BEARER, "sk-one"),
        ("x-goog-api-key", "sk-two"),
        ("?key", "sk-three"),
    ]


def test_a_bearer_token_is_not_taken_where_no_document_names_one() -> None:
    request = scope([(b"authorization", b"Bearer sk-one")])
    assert KeyPlaces(frozenset({KeyPlace("x-api-key")})).presented(request) == []


def test_an_authorization_header_of_another_scheme_carries_no_key() -> None:
    request = scope([(b"authorization", b"Basic dXNlcjpwYXNz")])
    assert KeyPlaces(frozenset({KeyPlace(BEARER)})).presented(request) == []
