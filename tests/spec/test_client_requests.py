"""Every request body a tested client sent (recorded by `client_requests`) is one the spec
accepts, as the gateway validates it: a request schema that requires more than real
clients send, or a closed message that lacks a field they send, fails here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from client_requests import RECORDED
from copilot_gateway.spec import proto3_json
from copilot_gateway.spec.schemas import NAMED
from openapi_oracle import body_component, validate_chunk

ENTRIES: list[dict[str, Any]] = json.loads(RECORDED.read_text())

DOCUMENTS = ("openai.yaml", "anthropic.yaml", "gemini.yaml")


def operation_of(path: str) -> tuple[str, str]:
    """The document and body component of the operation serving path."""
    for document in DOCUMENTS:
        if (component := body_component(document, path)) is not None:
            return document, component
    raise AssertionError(f"no operation serves {path}")


def test_bodies_of_several_clients_are_recorded_on_the_responses_and_gemini_apis() -> None:
    for surface in (("/v1/responses",), (":generateContent", ":streamGenerateContent")):
        clients = {
            entry["client"].split("-")[0] for entry in ENTRIES if entry["path"].endswith(surface)
        }
        assert len(clients) >= 2, (surface, clients)
    for entry in ENTRIES:
        operation_of(entry["path"])


@pytest.mark.parametrize(
    "entry",
    ENTRIES,
    ids=lambda entry: f"{entry['client']} {entry['path']}",
)
def test_a_recorded_body_is_valid_for_its_operation(entry: dict[str, Any]) -> None:
    document, component = operation_of(entry["path"])
    body = proto3_json.canonical({NAMED: f"{document}#{component}"}, entry["body"])
    validate_chunk(component, body, document)
