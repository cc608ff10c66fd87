"""Request schemas take what the real API defaults (trim_spec's relaxation rule), marked as
ours, while answers keep the official, stricter shapes."""

from __future__ import annotations

from typing import Any

from copilot_gateway.spec.documents import load_spec

SPEC = load_spec("openai.yaml")
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [str(node["$ref"]).rsplit("/", 1)[1]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in refs_in(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs_in(item)]
    return []


def reachable(roots: list[Any]) -> set[str]:
    seen: set[str] = set()
    todo = refs_in(roots)
    while todo:
        if (name := todo.pop()) not in seen:
            seen.add(name)
            todo += refs_in(SCHEMAS.get(name, {}))
    return seen


def request_schema(path: str) -> str:
    body = SPEC["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return str(body["$ref"]).rsplit("/", 1)[1]


def test_function_tools_and_images_in_requests_leave_out_what_the_api_defaults() -> None:
    assert {"strict", "parameters"}.isdisjoint(SCHEMAS["FunctionToolRequest"]["required"])
    assert "detail" not in SCHEMAS["InputImageContentRequest"]["required"]
    # Answers list them always, as the official spec says.
    assert {"strict", "parameters"} <= set(SCHEMAS["FunctionTool"]["required"])
    assert "detail" in SCHEMAS["InputImageContent"]["required"]


def test_every_relaxation_is_marked_with_the_fields_it_frees() -> None:
    relaxed = {name: s for name, s in SCHEMAS.items() if "x-gateway-optional" in s}
    assert {"FunctionToolRequest", "InputImageContentRequest"} <= set(relaxed)
    for name, schema in relaxed.items():
        assert schema["x-gateway-addition"] is True, name
        parts = [schema, *schema.get("allOf", [])]
        required = {field for part in parts for field in part.get("required", [])}
        assert required.isdisjoint(schema["x-gateway-optional"]), name


def test_request_bodies_reach_the_relaxed_copies() -> None:
    for path in ("/responses", "/responses/compact", "/responses/input_tokens"):
        reached = reachable([SCHEMAS[request_schema(path)]])
        assert {"FunctionToolRequest", "InputImageContentRequest"} <= reached, path
        assert {"FunctionTool", "InputImageContent"}.isdisjoint(reached), path


def test_no_answer_refers_to_a_request_copy() -> None:
    copies = {
        name
        for name, schema in SCHEMAS.items()
        if name.endswith("Request")
        and name.removesuffix("Request") in SCHEMAS
        and schema.get("x-gateway-addition")
    }
    assert "FunctionToolRequest" in copies
    answers = [
        operation["responses"]
        for item in SPEC["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "responses" in operation
    ]
    answered = reachable(answers)
    assert "FunctionTool" in answered
    assert not answered & copies
