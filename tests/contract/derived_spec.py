"""The spec as schemathesis needs it, derived in code from openapi/openai.yaml.

schemathesis validates each SSE *event object* ({data, event, id, retry}) against the
`text/event-stream` schema, while OpenAI's spec describes the JSON inside `data`. The
derived copy describes events: `data` is `[DONE]`, or JSON matching the chunk schema.
"""

from __future__ import annotations

import copy
from typing import Any

import toktok

from copilot_gateway.emulator import catalog
from copilot_gateway.spec.documents import load_spec, mounted_at_full_paths

DONE_EVENT = {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "string", "enum": ["[DONE]"]}},
}


def event_schema(chunk_schema: dict[str, Any]) -> dict[str, Any]:
    chunk_event = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": chunk_schema,
            }
        },
    }
    return {"anyOf": [DONE_EVENT, chunk_event]}


def with_realistic_values(spec: dict[str, Any]) -> None:
    """Narrow what no schema can say, so fuzzing reaches the upstream instead of a 404.

    Models: those the emulator serves, per operation; token ids: within the model's vocabulary.
    """
    schemas = spec["components"]["schemas"]
    chat = [m["id"] for m in catalog.MODELS if m["capabilities"]["type"] == "chat"]
    chat_models = {"enum": sorted({m for m in chat if catalog.refusal_on_chat(m) is None})}
    embedding_models = {"enum": ["text-embedding-3-small"]}
    schemas["CreateChatCompletionRequest"]["allOf"][1]["properties"]["model"] = chat_models
    schemas["CreateCompletionRequest"]["properties"]["model"] = chat_models
    schemas["CreateEmbeddingRequest"]["properties"]["model"] = embedding_models
    on_responses = {
        m["id"] for m in catalog.MODELS if "/responses" in m.get("supported_endpoints", [])
    }
    responses_models = sorted({*chat_models["enum"], *on_responses})
    schemas["CreateResponse"] = served_responses_request(responses_models)
    # Counting and compacting take the same conversation (what they would send).
    served = schemas["CreateResponse"]["properties"]
    schemas["TokenCountsBody"] = {
        **schemas["CreateResponse"],
        "required": ["model"],
        "properties": {
            **{k: served[k] for k in ("model", "instructions")},
            # Nothing to count is a count of 0, not an error.
            "input": {
                "anyOf": [
                    branch if branch.get("type") == "string" else {**branch, "minItems": 0}
                    for branch in served["input"]["anyOf"]
                ],
                "nullable": True,
            },
            "tools": {**served["tools"], "nullable": True},
        },
    }
    schemas["CompactResponseMethodPublicBody"] = {
        **schemas["CreateResponse"],
        "properties": {k: served[k] for k in ("model", "input", "instructions")},
    }
    for path in ("/responses/input_tokens", "/responses/compact"):
        spec["paths"][path]["post"]["requestBody"]["required"] = True
    schemas["CreateEmbeddingRequest"]["properties"]["dimensions"]["maximum"] = (
        catalog.EMBEDDING_DIMENSIONS
    )
    for field, encoding in (
        (schemas["CreateCompletionRequest"]["properties"]["prompt"], "o200k_base"),
        (schemas["CreateEmbeddingRequest"]["properties"]["input"], "cl100k_base"),
    ):
        token = {
            "type": "integer",
            "minimum": 0,
            "maximum": toktok._encoding(encoding).max_token_value,
        }
        for branch in field["oneOf"]:
            items = branch.get("items", {})
            if items.get("type") == "integer":
                branch["items"] = token
            elif items.get("type") == "array":
                items["items"] = token
    bound_integers(spec)
    without_metadata_filter(spec)


def without_metadata_filter(spec: dict[str, Any]) -> None:
    """A query string holds only strings: schemathesis' "invalid" `metadata[k]=true` (the
    boolean, it means) arrives as the valid string "true". The filter is left out here (the
    SDK tests cover it, and a nested filter's 400); the listing's other parameters stay."""
    listing = spec["paths"]["/chat/completions"]["get"]
    listing["parameters"] = [p for p in listing["parameters"] if p["name"] != "metadata"]


def served_responses_request(models: list[str]) -> dict[str, Any]:
    """createResponse as the gateway serves it: the spec's fields for what it serves (text and
    image messages, function tools), without what it refuses by name (built-in tools,
    `background`, `conversation`, `prompt`), which the spec calls valid."""
    ref = "#/components/schemas/"
    return {
        "type": "object",
        "required": ["model", "input"],
        "properties": {
            "model": {"type": "string", "enum": models},
            "input": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": served_input_message(), "minItems": 1},
                ]
            },
            "instructions": {"type": "string", "nullable": True},
            "tools": {"type": "array", "items": {"$ref": ref + "FunctionToolRequest"}},
            "tool_choice": {"$ref": ref + "ToolChoiceOptions"},
            "text": {"$ref": ref + "ResponseTextParam"},
            "max_output_tokens": {"type": "integer", "minimum": 16, "nullable": True},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2, "nullable": True},
            "top_p": {"type": "number", "minimum": 0, "maximum": 1, "nullable": True},
            "metadata": {"$ref": ref + "Metadata"},
            "store": {"type": "boolean", "nullable": True},
            "stream": {"type": "boolean", "nullable": True},
        },
    }


def served_input_message() -> dict[str, Any]:
    """A message with text or text and image parts (files by id or URL are refused)."""
    ref = "#/components/schemas/"
    image = {
        "type": "object",
        "required": ["type", "image_url"],
        "properties": {
            "type": {"type": "string", "enum": ["input_image"]},
            "image_url": {"type": "string", "format": "uri"},
            "detail": {"type": "string", "enum": ["low", "high", "auto"]},
        },
    }
    parts = {"anyOf": [{"$ref": ref + "InputTextContent"}, image]}
    return {
        "type": "object",
        "required": ["role", "content"],
        "properties": {
            "type": {"type": "string", "enum": ["message"]},
            "role": {"type": "string", "enum": ["user", "assistant", "system", "developer"]},
            "content": {"anyOf": [{"type": "string"}, {"type": "array", "items": parts}]},
        },
    }


def bound_integers(node: Any) -> None:
    """The gateway takes integers in 64 bits only (see validation.to_draft4): say so here."""
    if isinstance(node, list):
        for item in node:
            bound_integers(item)
    elif isinstance(node, dict):
        if node.get("type") == "integer":
            node["minimum"] = max(node.get("minimum", -(2**63)), -(2**63))
            node["maximum"] = min(node.get("maximum", 2**63 - 1), 2**63 - 1)
        for key, value in node.items():
            if key not in ("enum", "example", "default"):
                bound_integers(value)


def for_schemathesis() -> dict[str, Any]:
    spec = copy.deepcopy(load_spec("openai.yaml"))
    with_realistic_values(spec)
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for response in operation["responses"].values():
                stream = response.get("content", {}).get("text/event-stream")
                if stream:
                    stream["schema"] = event_schema(stream["schema"])
    # One server at the root, every path spelled out (aliases and /healthz included).
    return mounted_at_full_paths(spec)


# The Anthropic surface (openapi/anthropic.yaml).

ANTHROPIC_ROUTES = ("native", "translated")
STREAM_EVENTS = [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
]


def anthropic_event_schema() -> dict[str, Any]:
    """An Anthropic SSE event: its name, and JSON data of the MessageStreamEvent union (or,
    for a stream that fails, the error body)."""

    def named(names: list[str], data: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["event", "data"],
            "properties": {
                "event": {"type": "string", "enum": names},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": "#/components/schemas/" + data},
                },
            },
        }

    return {
        "anyOf": [named(STREAM_EVENTS, "MessageStreamEvent"), named(["error"], "ErrorResponse")]
    }


def anthropic_models(route: str) -> list[str]:
    """The emulator's chat models served on a route: natively on /v1/messages (its Claude
    models), or translated to chat (the others)."""
    served = [
        m
        for m in catalog.MODELS
        if m["capabilities"]["type"] == "chat" and catalog.refusal_on_chat(m["id"]) is None
    ]
    native = route == "native"
    return sorted(
        {
            m["id"]
            for m in served
            if ("/v1/messages" in (m.get("supported_endpoints") or [])) == native
        }
    )


def translated_user_message() -> dict[str, Any]:
    """A user message as the translation to chat serves it: text, images as data or URL,
    plain-text documents, tool results (and thinking, dropped). It refuses by name what a
    chat model cannot be sent (server tools' blocks, files by id, PDFs), which the spec
    calls valid."""
    ref = "#/components/schemas/"
    image = {
        "type": "object",
        "required": ["type", "source"],
        "properties": {
            "type": {"type": "string", "enum": ["image"]},
            "source": {
                "anyOf": [
                    {"$ref": ref + "BetaBase64ImageSourceParam"},
                    {"$ref": ref + "BetaURLImageSourceParam"},
                ]
            },
        },
    }
    document = {
        "type": "object",
        "required": ["type", "source"],
        "properties": {
            "type": {"type": "string", "enum": ["document"]},
            "source": {"$ref": ref + "BetaPlainTextSourceParam"},
        },
    }
    blocks = [
        {"$ref": ref + "BetaTextBlockParam"},
        image,
        document,
        {"$ref": ref + "BetaToolResultBlockParam"},
        {"$ref": ref + "BetaThinkingBlockParam"},
        {"$ref": ref + "BetaRedactedThinkingBlockParam"},
    ]
    return {
        "type": "object",
        "required": ["role", "content"],
        "properties": {
            "role": {"type": "string", "enum": ["user"]},
            "content": {
                "anyOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"anyOf": blocks}, "minItems": 1},
                ]
            },
        },
    }


def translated_request(request: dict[str, Any]) -> None:
    """The request as the translation serves it: its user messages, and no `tool_choice`
    naming a tool (refused unless the tools define it, which no schema can say)."""
    properties = request["properties"]
    items = properties["messages"]["items"]["anyOf"]
    user = "#/components/schemas/BetaUserMessageParam"
    items[:] = [translated_user_message() if i == {"$ref": user} else i for i in items]
    if "tool_choice" in properties:
        choices = properties["tool_choice"]["anyOf"]
        choices[:] = [c for c in choices if not c["$ref"].endswith("BetaToolChoiceToolParam")]


def anthropic_for_schemathesis(scheme: str, route: str) -> dict[str, Any]:
    """openapi/anthropic.yaml for schemathesis, for the models of one route, with one security
    scheme (`apiKey` or `bearerAuth`): offered both, schemathesis also sends a request with
    neither and counts its 401 against the other scheme."""
    spec = copy.deepcopy(load_spec("anthropic.yaml"))
    spec["security"] = [{scheme: []}]
    schemes = spec["components"]["securitySchemes"]
    spec["components"]["securitySchemes"] = {scheme: schemes[scheme]}
    schemas = spec["components"]["schemas"]
    models = {"type": "string", "enum": anthropic_models(route)}
    for request in ("CreateMessageRequest", "CountMessageTokensRequest"):
        schemas[request]["properties"]["model"] = models
    if route == "translated":
        translated_request(schemas["CreateMessageRequest"])
    for item in spec["paths"].values():
        for operation in item.values():
            stream = operation["responses"]["200"]["content"].get("text/event-stream")
            if stream:
                stream["schema"] = anthropic_event_schema()
    bound_integers(spec)
    return mounted_at_full_paths(spec)
