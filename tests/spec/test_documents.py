"""The spec documents: generated, valid, and exactly what each surface serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from copilot_gateway.spec.documents import (
    load_spec,
    mounted_at_full_paths,
    published,
    without_security,
)
from copilot_gateway.surfaces.registry import OPERATOR_SURFACES, SURFACES

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = {surface.document: surface for surface in SURFACES}


def operations(spec: dict) -> dict[str, tuple[str, str]]:
    return {
        op["operationId"]: (path, method)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }


def test_committed_spec_is_what_the_trim_script_generates() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "trim_spec.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_committed_anthropic_spec_is_what_the_derivation_generates() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "derive_anthropic_spec.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_committed_gemini_spec_is_what_the_derivation_generates() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "derive_gemini_spec.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_gemini_spec_has_the_fields_newer_than_the_protos_marked_as_ours() -> None:
    schemas = load_spec("gemini.yaml")["components"]["schemas"]
    level = schemas["ThinkingConfig"]["properties"]["thinkingLevel"]
    assert level["x-gateway-addition"] is True
    assert {"LOW", "HIGH"} <= set(level["enum"])
    # The path carries the model: a body need not.
    assert "model" not in schemas["GenerateContentRequest"].get("required", [])
    assert schemas["GenerateContentRequest"]["required"] == ["contents"]


def test_anthropic_spec_keeps_bodies_open_and_betas_in_their_header() -> None:
    schemas = load_spec("anthropic.yaml")["components"]["schemas"]
    for name in ("CreateMessageRequest", "CountMessageTokensRequest"):
        assert "betas" not in schemas[name]["properties"]
        assert schemas[name].get("additionalProperties", True) is not False
    # Claude Code's beta-only fields are part of the request.
    assert {"context_management", "thinking", "output_config"} <= set(
        schemas["CreateMessageRequest"]["properties"]
    )
    assert "const" not in (ROOT / "openapi" / "anthropic.yaml").read_text()


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_spec_document_is_valid_openapi_3_0(document: str) -> None:
    spec = load_spec(document)
    assert spec["openapi"] == "3.0.3"
    validate(spec)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_each_document_holds_exactly_its_surfaces_operations(document: str) -> None:
    listed = {op.operation_id: (op.path, op.method) for op in DOCUMENTS[document].operations}
    assert operations(load_spec(document)) == listed


def test_operation_ids_are_unique_across_every_document() -> None:
    """connexion finds an operation by its id among all the APIs at one base path (every
    surface is at the root): an id two documents share would reach the first's handler."""
    documents = [surface.document for surface in (*SURFACES, *OPERATOR_SURFACES)]
    ids = [op_id for document in documents for op_id in operations(load_spec(document))]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_each_operation_is_mounted_where_its_surface_says(document: str) -> None:
    paths = mounted_at_full_paths(load_spec(document))["paths"]
    expected = {
        (full, op.method) for op in DOCUMENTS[document].operations for full in op.mounted_paths()
    }
    assert {(path, method) for path, item in paths.items() for method in item} >= expected
    assert set(paths) == {full for full, _ in expected}


def test_spec_keeps_no_openai_extensions() -> None:
    text = (ROOT / "openapi" / "openai.yaml").read_text()
    assert "x-oai" not in text and "x-stainless" not in text


def test_every_operation_documents_errors_in_openai_shape() -> None:
    spec = load_spec("openai.yaml")
    for path, method in operations(spec).values():
        responses = spec["paths"][path][method]["responses"]
        if path == "/healthz":
            continue
        assert responses["default"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }


def test_additions_are_marked() -> None:
    spec = load_spec("openai.yaml")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["x-gateway-addition"] is True
    for path in ("/models", "/openai", "/healthz"):
        assert spec["paths"][path]["x-gateway-addition"] is True
    streamed = spec["paths"]["/completions"]["post"]["responses"]["200"]["content"][
        "text/event-stream"
    ]
    assert streamed["x-gateway-addition"] is True


def test_discriminators_have_explicit_mappings() -> None:
    messages = load_spec("openai.yaml")["components"]["schemas"]["ChatCompletionRequestMessage"]
    assert messages["discriminator"]["mapping"]["tool"].endswith("ChatCompletionRequestToolMessage")


def test_overlapping_branches_without_a_mapping_become_any_of() -> None:
    """A message item fits two of `InputItem`'s branches: `oneOf` would refuse it."""
    schemas = load_spec("openai.yaml")["components"]["schemas"]
    assert "anyOf" in schemas["InputItem"] and "discriminator" not in schemas["InputItem"]
    mapping = schemas["OutputItem"]["discriminator"]["mapping"]
    assert mapping["function_call"].endswith("/FunctionToolCall")


def test_no_3_1_keyword_is_left() -> None:
    text = (ROOT / "openapi" / "openai.yaml").read_text()
    for keyword in ("$recursiveRef", "$recursiveAnchor", "propertyNames", "const:"):
        assert keyword not in text


def test_response_errors_are_documented_in_the_shape_they_are_sent() -> None:
    deleting = load_spec("openai.yaml")["paths"]["/responses/{response_id}"]["delete"]
    assert deleting["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }


def test_null_is_spelled_the_3_0_way() -> None:
    text = (ROOT / "openapi" / "openai.yaml").read_text()
    assert "type: 'null'" not in text and "type: null" not in text


def test_full_paths_mount_aliases_and_health_outside_v1() -> None:
    paths = mounted_at_full_paths(load_spec("openai.yaml"))["paths"]
    assert {
        "/v1/models",
        "/models",
        "/v1/models/{model}",
        "/v1/chat/completions",
        "/v1/chat/completions/{completion_id}",
        "/v1/chat/completions/{completion_id}/messages",
        "/openai",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/responses",
        "/v1/responses/{response_id}",
        "/v1/responses/{response_id}/input_items",
        "/v1/responses/input_tokens",
        "/v1/responses/compact",
        "/healthz",
    } == set(paths)
    assert paths["/models"] is paths["/v1/models"]


def test_published_spec_names_the_running_gateway() -> None:
    served = published(load_spec("openai.yaml"), "http://gw.example:8080")
    assert served["servers"] == [{"url": "http://gw.example:8080/v1"}]
    assert served["paths"]["/healthz"]["servers"] == [{"url": "http://gw.example:8080"}]


def test_spec_without_security_asks_for_no_key() -> None:
    spec = without_security(load_spec("openai.yaml"))
    assert "security" not in spec and "securitySchemes" not in spec["components"]
    for item in spec["paths"].values():
        for operation in item.values():
            assert not isinstance(operation, dict) or "security" not in operation
    # The document itself is left as it was.
    assert load_spec("openai.yaml")["security"] == [{"bearerAuth": []}]
