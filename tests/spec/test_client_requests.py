"""Every request body a tested client sent (recorded by `client_requests`) is one the spec
accepts: a request schema that requires more than real clients send fails here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from client_requests import RECORDED
from copilot_gateway.spec.documents import load_spec, mounted_at_full_paths
from openapi_oracle import validate_chunk

ENTRIES: list[dict[str, Any]] = json.loads(RECORDED.read_text())
DOCUMENTS = {
    path: document
    for document in ("openai.yaml", "anthropic.yaml")
    for path in mounted_at_full_paths(load_spec(document))["paths"]
}


def body_schema(path: str) -> str:
    paths = mounted_at_full_paths(load_spec(DOCUMENTS[path]))["paths"]
    schema = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return str(schema["$ref"]).rsplit("/", 1)[1]


def test_bodies_of_several_clients_on_the_responses_api_are_recorded() -> None:
    clients = {entry["client"] for entry in ENTRIES if entry["path"] == "/v1/responses"}
    assert len(clients) >= 2, clients
    assert all(entry["path"] in DOCUMENTS for entry in ENTRIES)


@pytest.mark.parametrize(
    "entry",
    ENTRIES,
    ids=lambda entry: f"{entry['client']} {entry['path']}",
)
def test_a_recorded_body_is_valid_for_its_operation(entry: dict[str, Any]) -> None:
    validate_chunk(body_schema(entry["path"]), entry["body"], DOCUMENTS[entry["path"]])
