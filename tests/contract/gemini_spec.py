"""openapi/gemini.yaml as schemathesis needs it, derived in code.

Google's schemas say what the API takes; the gateway serves a part of it, and refuses the
rest by name (files by URI, server-side tools, other modalities: tests/surfaces/gemini
checks each refusal). The copy here describes what it serves, for one route at a time, so
fuzzing reaches the upstream: the emulator's models in the path, text and image parts,
function declarations, sampling settings in the ranges chat takes; its streams as events
whose data is a chunk or Google's error.
"""

from __future__ import annotations

import copy
from typing import Any

from derived_spec import bound_integers

from copilot_gateway.emulator import catalog
from copilot_gateway.spec.documents import load_spec, mounted_at_full_paths

REF = "#/components/schemas/"
GEMINI_ROUTES = ("chat", "responses")


def chat_models(route: str) -> list[str]:
    """The emulator's chat models served on chat, or only on the Responses API."""
    chat = [m for m in catalog.MODELS if m["capabilities"]["type"] == "chat"]
    on_chat = {m["id"] for m in chat if catalog.refusal_on_chat(m["id"]) is None}
    if route == "chat":
        return sorted(on_chat)
    return sorted(
        m["id"]
        for m in chat
        if m["id"] not in on_chat and "/responses" in (m.get("supported_endpoints") or [])
    )


def text(min_length: int = 1) -> dict[str, Any]:
    return {"type": "string", "minLength": min_length, "maxLength": 200}


def closed(schema: Any) -> Any:
    """schema with each of its objects closed, as the document's messages are (the gateway
    refuses a name a message lacks, as Google does)."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed(value) for key, value in schema.items() if key != "properties"}
    if "properties" in schema:
        out["properties"] = {name: closed(value) for name, value in schema["properties"].items()}
        out.setdefault("additionalProperties", False)
    return out


def served_content() -> dict[str, Any]:
    image = {
        "type": "object",
        "required": ["mimeType", "data"],
        "properties": {
            "mimeType": {"type": "string", "enum": ["image/png", "image/jpeg"]},
            "data": {"type": "string", "pattern": "^[A-Za-z0-9+/]{4,40}$"},
        },
    }
    text_part = {"type": "object", "required": ["text"], "properties": {"text": text()}}
    image_part = {"type": "object", "required": ["inlineData"], "properties": {"inlineData": image}}

    def turn(role: str, part: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["role", "parts"],
            "properties": {
                "role": {"type": "string", "enum": [role]},
                "parts": {"type": "array", "items": part, "minItems": 1, "maxItems": 3},
            },
        }

    # Images in the user's turns only (the model's cannot carry them to chat).
    return {"anyOf": [turn("user", {"anyOf": [text_part, image_part]}), turn("model", text_part)]}


def served_generation_config(route: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "maxOutputTokens": {"type": "integer", "minimum": 1, "maximum": 4096},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "topP": {"type": "number", "minimum": 0, "maximum": 1},
        "topK": {"type": "integer", "minimum": 1, "maximum": 100},
        "responseMimeType": {"type": "string", "enum": ["text/plain", "application/json"]},
        "thinkingConfig": {"$ref": REF + "ThinkingConfig"},
    }
    if route == "chat":  # what the Responses API refuses (each by its Gemini name)
        properties.update(
            candidateCount={"type": "integer", "minimum": 1, "maximum": 4},
            stopSequences={"type": "array", "items": text(), "maxItems": 4},
            seed={"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
            presencePenalty={"type": "number", "minimum": -2, "maximum": 2},
            frequencyPenalty={"type": "number", "minimum": -2, "maximum": 2},
        )
    return {"type": "object", "properties": properties}


def served_tools() -> dict[str, Any]:
    declaration = {
        "type": "object",
        "required": ["name", "description"],
        "properties": {
            "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,30}$"},
            "description": text(),
            "parametersJsonSchema": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string", "enum": ["object"]}},
                "additionalProperties": False,
            },
        },
    }
    tool = {
        "type": "object",
        "required": ["functionDeclarations"],
        "properties": {
            "functionDeclarations": {
                "type": "array",
                "items": declaration,
                "minItems": 1,
                "maxItems": 3,
            }
        },
        "additionalProperties": False,
    }
    return {"type": "array", "items": tool, "maxItems": 2}


def served_generate_request(route: str) -> dict[str, Any]:
    mode = {"type": "string", "enum": ["AUTO", "NONE", "VALIDATED"]}
    return {
        "type": "object",
        "required": ["contents"],
        "properties": {
            "systemInstruction": {
                "type": "object",
                "properties": {
                    "parts": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["text"],
                            "properties": {"text": text()},
                        },
                    }
                },
            },
            "contents": {
                "type": "array",
                "items": served_content(),
                "minItems": 1,
                "maxItems": 4,
            },
            "tools": served_tools(),
            "toolConfig": {
                "type": "object",
                "properties": {
                    "functionCallingConfig": {"type": "object", "properties": {"mode": mode}}
                },
            },
            "safetySettings": {"type": "array", "items": {"$ref": REF + "SafetySetting"}},
            "generationConfig": served_generation_config(route),
        },
    }


def served_embed_request() -> dict[str, Any]:
    content = {
        "type": "object",
        "required": ["parts"],
        "properties": {
            "parts": {
                "type": "array",
                "items": {"type": "object", "required": ["text"], "properties": {"text": text()}},
                "minItems": 1,
                "maxItems": 3,
            }
        },
    }
    return {
        "type": "object",
        "required": ["content"],
        "properties": {
            "content": content,
            "taskType": {"$ref": REF + "EmbedContentRequest/properties/taskType"},
            "title": text(0),
            "outputDimensionality": {
                "type": "integer",
                "minimum": 1,
                "maximum": catalog.EMBEDDING_DIMENSIONS,
            },
        },
    }


def stream_event_schema() -> dict[str, Any]:
    def data(schema: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": REF + schema},
                }
            },
        }

    return {"anyOf": [data("GenerateContentResponse"), data("Error")]}


def path_models(spec: dict[str, Any], route: str) -> None:
    models = {
        "model": chat_models(route),
        "name": chat_models(route),
    }
    embeddings = ["text-embedding-3-small"]
    for path, item in spec["paths"].items():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    continue
                served = embeddings if "mbed" in path else models[parameter["name"]]
                parameter["schema"] = {"type": "string", "enum": served}


def with_one_key_place(spec: dict[str, Any]) -> dict[str, Any]:
    """Keys sent as Gemini CLI sends them (`x-goog-api-key`): offered every scheme,
    schemathesis would also send a request with none and count its 401 against the others."""
    spec = copy.deepcopy(spec)
    spec["security"] = [{"apiKeyHeader": []}]
    schemes = spec["components"]["securitySchemes"]
    spec["components"]["securitySchemes"] = {"apiKeyHeader": schemes["apiKeyHeader"]}
    return spec


def gemini_as_served() -> dict[str, Any]:
    """The document as it is, for the negative cases: whatever breaks it is refused."""
    spec = with_one_key_place(load_spec("gemini.yaml"))
    stream = spec["paths"]["/models/{model}:streamGenerateContent"]["post"]["responses"]["200"]
    stream["content"]["text/event-stream"]["schema"] = stream_event_schema()
    bound_integers(spec)
    return mounted_at_full_paths(spec)


def gemini_for_schemathesis(route: str) -> dict[str, Any]:
    """openapi/gemini.yaml narrowed to what the gateway serves, for the models of one route
    (for the positive cases only: the gateway validates against the document itself)."""
    spec = with_one_key_place(load_spec("gemini.yaml"))
    schemas = spec["components"]["schemas"]
    schemas["GenerateContentRequest"] = closed(served_generate_request(route))
    schemas["CountTokensRequest"] = {
        "type": "object",
        "required": ["contents"],
        "properties": {"contents": schemas["GenerateContentRequest"]["properties"]["contents"]},
        "additionalProperties": False,
    }
    task_type = schemas["EmbedContentRequest"]["properties"]["taskType"]
    schemas["EmbedContentRequest"] = closed(served_embed_request())
    schemas["EmbedContentRequest"]["properties"]["taskType"] = task_type
    schemas["BatchEmbedContentsRequest"]["properties"]["requests"].update(minItems=1, maxItems=4)
    path_models(spec, route)
    for parameter in spec["paths"]["/models"]["get"]["parameters"]:
        if parameter["name"] == "pageToken":  # a token the listing gave: an offset
            parameter["schema"] = {"type": "string", "pattern": "^[0-9]{1,3}$"}
    stream = spec["paths"]["/models/{model}:streamGenerateContent"]["post"]["responses"]["200"]
    stream["content"]["text/event-stream"]["schema"] = stream_event_schema()
    bound_integers(spec)
    return mounted_at_full_paths(spec)
