"""openapi-core as an independent oracle: what we send and get back, against the spec."""

from __future__ import annotations

import functools
import re
from typing import Any

import httpx
import orjson
from jsonschema_path import SchemaPath
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.schemas import oas30_read_schema_validators_factory
from werkzeug.datastructures import Headers, ImmutableMultiDict

from copilot_gateway.spec import proto3_json
from copilot_gateway.spec.documents import load_spec, mounted_at_full_paths
from copilot_gateway.spec.schemas import NAMED


class HttpxOpenAPIRequest:
    def __init__(self, request: httpx.Request) -> None:
        self.request = request
        url = request.url
        self.host_url = f"{url.scheme}://{url.netloc.decode()}"
        self.path = url.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(url.params.multi_items())),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "")

    def with_json_names(self, document: str) -> HttpxOpenAPIRequest:
        """This request as the gateway validates it, where the document reads bodies as
        Google's JSON mapping does (`spec.proto3_json`): its body made canonical."""
        component = body_component(document, self.path)
        if self.body and component and load_spec(document).get(proto3_json.ROOT_MARK):
            schema = {NAMED: f"{document}#{component}"}
            self.body = orjson.dumps(proto3_json.canonical(schema, orjson.loads(self.body)))
        return self

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


class HttpxOpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.headers = Headers(dict(response.headers))
        self.content_type = response.headers.get("content-type", "").split(";")[0]
        self.data = response.content


def json_body_ref(item: dict[str, Any]) -> str | None:
    content = item.get("post", {}).get("requestBody", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref")
    return None if ref is None else str(ref)


@functools.cache
def body_components(document: str) -> list[tuple[re.Pattern[str], str]]:
    """Each POST operation's full path as a pattern (Gemini's carry the model), and the
    component its JSON body is."""
    paths = mounted_at_full_paths(load_spec(document))["paths"]
    return [
        (re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$"), ref.rsplit("/", 1)[1])
        for path, item in paths.items()
        if (ref := json_body_ref(item)) is not None
    ]


def body_component(document: str, path: str) -> str | None:
    return next((name for pattern, name in body_components(document) if pattern.match(path)), None)


@functools.cache
def api(document: str = "openai.yaml") -> OpenAPI:
    return OpenAPI.from_dict(load_spec(document))


def validate_exchange(response: httpx.Response, document: str = "openai.yaml") -> None:
    """A request the gateway accepted must be valid; so must every JSON response.

    (Tests send invalid requests on purpose: those must be refused, which the tests check.)
    """
    request = HttpxOpenAPIRequest(response.request).with_json_names(document)
    if response.status_code < 400:
        api(document).validate_request(request)
    if response.headers.get("content-type", "").startswith("application/json"):
        api(document).validate_response(request, HttpxOpenAPIResponse(response))


@functools.cache
def _schema_validator(schema_name: str, document: str = "openai.yaml") -> Any:
    spec = SchemaPath.from_dict(load_spec(document))
    return oas30_read_schema_validators_factory.create(
        spec, spec / "components" / "schemas" / schema_name
    )


def validate_chunk(schema_name: str, chunk: dict[str, Any], document: str = "openai.yaml") -> None:
    """One streamed chunk against a component schema (openapi-core cannot read SSE)."""
    _schema_validator(schema_name, document).validate(chunk)


def sse_chunks(text: str) -> list[dict[str, Any]]:
    """Parse and check the framing of a whole SSE body; returns the JSON chunks."""
    assert text.endswith("data: [DONE]\n\n"), "stream must end with data: [DONE]"
    events = text.split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    chunks = []
    for raw in events[:-2]:
        assert raw.startswith("data: "), f"not a data event: {raw[:80]!r}"
        assert "\n" not in raw, "one line per event"
        chunks.append(orjson.loads(raw[len("data: ") :]))
    return chunks
