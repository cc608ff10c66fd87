#!/usr/bin/env python3
"""Generate openapi/openai.yaml from the official OpenAI spec.

Keeps the operations the OpenAI surface serves (the one list of them is
`copilot_gateway.surfaces.openai.operations`) and the transitive closure of the schemas
they reference, down-converts OpenAPI 3.1 to 3.0.3 (connexion 3.3 loads only 3.0.x), and
adds our few additions, each marked `x-gateway-addition: true`.

    scripts/trim_spec.py                       # rewrite openapi/openai.yaml
    scripts/trim_spec.py --check               # exit 1 if the committed file is stale
    scripts/trim_spec.py --source NEWER.yaml   # re-trim from another official document

The official document is read from ../shared/reference/ beside the checkout by default.
Every conversion rule is here as code, never as a hand edit of the output.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "openai-openapi.yaml"
DEFAULT_TARGET = ROOT / "openapi" / "openai.yaml"

sys.path.insert(0, str(ROOT / "src"))  # the operation list, from a checkout too
from copilot_gateway.spec.operations import Operation  # noqa: E402
from copilot_gateway.surfaces.openai.operations import OPERATIONS  # noqa: E402

OFFICIAL = [operation for operation in OPERATIONS if operation.origin == "official"]
EXTRA_SCHEMAS = ["CreateChatCompletionStreamResponse"]
NULL_BRANCH = {"enum": [None], "nullable": True}
MAX_DESCRIPTION = 120
ADDED = {"x-gateway-addition": True}
LITERAL_KEYS = ("example", "default", "enum")  # values, not schemas: copied as they are
# 3.1 keywords with no 3.0 equivalent: `propertyNames` (metadata keys' length: the gateway
# passes metadata on as it is), `$recursiveAnchor` (see `$recursiveRef` below).
DROPPED_31_KEYWORDS = ("propertyNames", "$recursiveAnchor")


def ref_target(document: dict, ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs_in(node: Any) -> list[str]:
    """Every $ref string below node."""
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        for key, value in node.items():
            if key != "x-oaiMeta":
                found += refs_in(value)
        return found
    if isinstance(node, list):
        return [ref for item in node for ref in refs_in(item)]
    return []


def closure(document: dict, roots: list[Any]) -> set[str]:
    """The refs reachable from roots, transitively."""
    seen: set[str] = set()
    todo = [ref for root in roots for ref in refs_in(root)]
    while todo:
        ref = todo.pop()
        if ref not in seen:
            seen.add(ref)
            todo += refs_in(ref_target(document, ref))
    return seen


def is_extension_to_drop(key: str) -> bool:
    return key.startswith(("x-oai", "x-stainless"))


def short_description(text: str) -> str | None:
    """OpenAI's prose is long and links to their docs: keep only short, plain lines."""
    text = text.strip()
    if "\n" in text or len(text) > MAX_DESCRIPTION or "](" in text:
        return None
    return text


def convert_schema(node: Any) -> Any:
    """Down-convert one 3.1 schema (and everything below it) to 3.0.3."""
    if isinstance(node, list):
        return [convert_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if is_extension_to_drop(key) or key in DROPPED_31_KEYWORDS:
            continue
        if key == "$recursiveRef":
            # 3.0 has no recursion by anchor: a nested compound filter is taken as any object.
            return {"type": "object", **ADDED}
        if key == "title":
            continue  # generators name classes by titles, and OpenAI reuses them: names suffice
        if key == "description":
            if isinstance(value, str) and (short := short_description(value)):
                out[key] = short
            continue
        if key == "properties":
            out[key] = {name: convert_schema(sub) for name, sub in value.items()}
        elif key in LITERAL_KEYS:
            out[key] = value
        else:
            out[key] = convert_schema(value)

    if out.get("type") == "null":
        return dict(NULL_BRANCH)
    if "$ref" in out:
        # 3.0 ignores $ref siblings: keep nullability as an explicit branch, drop the rest
        if out.get("nullable"):
            return {"anyOf": [{"$ref": out["$ref"]}, dict(NULL_BRANCH)]}
        return {"$ref": out["$ref"]}
    if out.get("nullable") and "type" not in out and "enum" not in out:
        # connexion applies `nullable` only beside `type`/`enum`: spell the null branch out
        for combinator in ("oneOf", "anyOf"):
            if combinator in out:
                out.pop("nullable")
                # Only if no branch takes null already: under oneOf, two would match it.
                if not any(branch.get("nullable") for branch in out[combinator]):
                    out[combinator] = [*out[combinator], dict(NULL_BRANCH)]
                break
    if out.get("nullable") and "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]  # openapi-core requires null in a nullable enum
    if "default" in out and out["default"] is None and not out.get("nullable"):
        del out["default"]  # connexion checks every default against its schema
    if out.get("required") == []:
        del out["required"]
    return out


def discriminating_values(schemas: dict, schema: dict, name: str) -> list[Any] | None:
    """The values of property `name` a schema requires (through `allOf` too), if it says."""
    if "$ref" in schema:
        return discriminating_values(schemas, schemas[schema["$ref"].rsplit("/", 1)[1]], name)
    if name in schema.get("properties", {}) and name in schema.get("required", []):
        values = [v for v in schema["properties"][name].get("enum", []) if v is not None]
        return values or None
    for part in schema.get("allOf", []):
        if (values := discriminating_values(schemas, part, name)) is not None:
            return values
    return None


def add_discriminator_mappings(schemas: dict) -> None:
    """Without an explicit mapping openapi-core resolves `user` as #/components/schemas/user.

    Where no complete mapping can be made (an inline branch, a branch that does not require
    the property, or two branches taking one value: the Responses API's input items), the
    discriminator is dropped and `oneOf` becomes `anyOf`: a discriminator does not make
    overlapping branches exclusive under JSON Schema, so `oneOf` would refuse valid input.
    """

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        for value in node.values():
            visit(value)
        discriminator = node.get("discriminator")
        if not discriminator or "mapping" in discriminator:
            return
        name = discriminator["propertyName"]
        mapping: dict[str, str] = {}
        branches = node.get("oneOf", node.get("anyOf", []))
        for branch in branches:
            values = discriminating_values(schemas, branch, name) if "$ref" in branch else None
            if values is None or any(value in mapping for value in values):
                del node["discriminator"]
                if "oneOf" in node:
                    node["anyOf"] = node.pop("oneOf")
                return
            mapping.update({value: branch["$ref"] for value in values})
        discriminator["mapping"] = mapping

    visit(schemas)


def drop_nullability_only_overrides(schemas: dict) -> None:
    """In an allOf, drop an inline property that only repeats a referenced one without null.

    OpenAI's `CreateModelResponseProperties` redefines `top_logprobs` that way; client
    generators cannot merge `int | None` with `int`. The referenced definition stands.
    """
    for schema in schemas.values():
        branches = schema.get("allOf", [])
        inherited: dict[str, Any] = {}
        for branch in branches:
            if "$ref" in branch:
                inherited.update(schemas[branch["$ref"].rsplit("/", 1)[1]].get("properties", {}))
        for branch in branches:
            properties = branch.get("properties", {})
            for name in list(properties):
                base = inherited.get(name)
                if base and properties[name] in [base, *base.get("anyOf", [])]:
                    del properties[name]


# How the official document says a field has a value when the caller leaves it out.
DEFAULTED_IN_PROSE = re.compile(r"\bDefaults? to\b", re.IGNORECASE)
REQUEST_COPY_SUFFIX = "Request"
# Optional fields real clients send back as null, which the real API takes as left out (and
# the rule above cannot find: the spec says nothing of them). Each seen from a tested client.
NULL_SENT_BY_CLIENTS = {
    "ReasoningItem": ["content"],  # Codex CLI, replaying its reasoning items
}
# Required fields real clients leave out, which the real API takes without (the spec
# requires them as it answers them). Each seen from a tested client.
LEFT_OUT_BY_CLIENTS = {
    # opencode (the AI SDK) with `store: false`: a reasoning item by its encrypted content
    # alone, the id being only the stored item's.
    "ReasoningItem": ["id"],
}


def is_documented_optional(prop: dict) -> bool:
    """A (3.1) property the spec gives a default, lets be null, or says defaults in prose."""
    if "default" in prop or prop.get("nullable"):
        return True
    branches = prop.get("anyOf", []) + prop.get("oneOf", [])
    if any(branch.get("type") == "null" for branch in branches):
        return True
    description = prop.get("description")
    return isinstance(description, str) and bool(DEFAULTED_IN_PROSE.search(description))


def is_tag(prop: dict) -> bool:
    """A property naming the object's kind (a single value): it stays required."""
    return "const" in prop or len([v for v in prop.get("enum", []) if v is not None]) == 1


def discriminator_names(node: Any) -> set[str]:
    if isinstance(node, list):
        return {name for item in node for name in discriminator_names(item)}
    if not isinstance(node, dict):
        return set()
    names = {node["discriminator"]["propertyName"]} if "discriminator" in node else set()
    return names.union(*(discriminator_names(value) for value in node.values()))


def required_but_documented_optional(source: dict, name: str, tags: set[str]) -> list[str]:
    """The fields schema `name` of the official document requires and also documents as
    defaulted or nullable: as the API describes them coming back, never as it takes them."""
    schema = source["components"]["schemas"][name]
    found = []
    for part in [schema, *schema.get("allOf", [])]:
        properties = part.get("properties", {})
        for field in part.get("required", []):
            prop = properties.get(field)
            if (
                prop is not None
                and field not in tags
                and not is_tag(prop)
                and is_documented_optional(prop)
            ):
                found.append(field)
    return found


def schema_names(document: dict, roots: list[Any]) -> set[str]:
    return {
        ref.rsplit("/", 1)[1]
        for ref in closure(document, roots)
        if ref.startswith("#/components/schemas/")
    }


def renamed_refs(node: Any, renames: dict[str, str]) -> Any:
    """node with every schema $ref (and discriminator mapping) to a renamed schema rewritten."""
    if isinstance(node, list):
        return [renamed_refs(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: renamed_refs(value, renames) for key, value in node.items()}
    if isinstance(node.get("$ref"), str):
        out["$ref"] = renamed_ref(node["$ref"], renames)
    if isinstance(node.get("mapping"), dict):
        out["mapping"] = {key: renamed_ref(ref, renames) for key, ref in node["mapping"].items()}
    return out


def renamed_ref(ref: str, renames: dict[str, str]) -> str:
    prefix, _, name = ref.rpartition("/")
    return f"{prefix}/{renames[name]}" if name in renames else ref


def operations_in(document: dict) -> list[dict]:
    return [
        operation
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "responses" in operation
    ]


def relax_request_schemas(source: dict, document: dict) -> None:
    """Request bodies take what the real API defaults: a required field the official spec
    also documents as defaulted or nullable (e.g. `FunctionTool.strict`, `parameters`,
    `InputImageContent.detail`) may be left out of a request.

    A schema only requests use is relaxed where it is; one responses use too gets a relaxed
    copy, `<Name>Request`, and so does every schema on the way to it, for requests to refer
    to. Both are marked as our addition, with the fields they no longer require.
    """
    schemas = document["components"]["schemas"]
    request_roots: list[Any] = []
    response_roots: list[Any] = [{"$ref": f"#/components/schemas/{n}"} for n in EXTRA_SCHEMAS]
    for operation in operations_in(document):
        request_roots += [operation.get("requestBody"), operation.get("parameters")]
        response_roots.append(operation["responses"])
    requested = schema_names(document, request_roots)
    answered = schema_names(document, response_roots)
    tags = discriminator_names(schemas)
    relaxed = {
        name: fields
        for name in requested
        if name in source["components"]["schemas"]
        and (fields := required_but_documented_optional(source, name, tags))
    }
    for name, fields in LEFT_OUT_BY_CLIENTS.items():
        relaxed[name] = [*relaxed.get(name, []), *fields]
    # Requested schemas that lead to a relaxed one.
    reaching = set(relaxed) | set(NULL_SENT_BY_CLIENTS)
    while True:
        more = {
            name
            for name in requested - reaching
            if any(ref.rsplit("/", 1)[1] in reaching for ref in refs_in(schemas[name]))
        }
        if not more:
            break
        reaching |= more
    renames = {name: name + REQUEST_COPY_SUFFIX for name in reaching & answered}
    assert not set(renames.values()) & set(schemas), "a request copy's name is taken"
    for name in sorted(reaching):
        schema = renamed_refs(schemas[name], renames)
        if name in relaxed:
            for part in [schema, *schema.get("allOf", [])]:
                if "required" in part:
                    part["required"] = [f for f in part["required"] if f not in relaxed[name]]
                    if not part["required"]:
                        del part["required"]
            schema["x-gateway-optional"] = relaxed[name]
        for field in NULL_SENT_BY_CLIENTS.get(name, []):
            schema["properties"][field] = {
                "anyOf": [schema["properties"][field], dict(NULL_BRANCH)],
                "x-gateway-nullable": True,
            }
        if name in renames:
            schema["description"] = f"{name} as requests send it."
            schemas[renames[name]] = {**schema, **ADDED}
        else:
            changed = name in relaxed or name in NULL_SENT_BY_CLIENTS
            schemas[name] = {**schema, **ADDED} if changed else schema
    for operation in operations_in(document):
        for key in ("requestBody", "parameters"):
            if key in operation:
                operation[key] = renamed_refs(operation[key], renames)


def add_open_responses_fields(schemas: dict) -> None:
    """A Response carries every field Open Responses requires (the real API sends them all).

    Where OpenAI's spec leaves one out (`presence_penalty`, `frequency_penalty`) or disagrees
    (`usage` is null until the response is done, as on `response.created`), ours says so.
    """
    own = next(part for part in schemas["Response"]["allOf"] if "$ref" not in part)
    properties = own["properties"]
    for name in ("presence_penalty", "frequency_penalty"):
        properties[name] = {"type": "number", "default": 0, **ADDED}
    properties["usage"] = {
        "anyOf": [{"$ref": "#/components/schemas/ResponseUsage"}, dict(NULL_BRANCH)],
        "description": "Null until the response is done.",
        **ADDED,
    }


def error_response() -> dict:
    return {
        "description": "An error, in OpenAI's shape.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
        **ADDED,
    }


def completion_stream_schema(completion: dict) -> dict:
    """Streamed legacy chunks carry `finish_reason: null` until the last one."""
    chunk = copy.deepcopy(completion)
    choice = chunk["properties"]["choices"]["items"]
    choice["required"] = [name for name in choice["required"] if name != "finish_reason"]
    reason = choice["properties"]["finish_reason"]
    reason["nullable"] = True
    reason["enum"] = [*reason["enum"], None]
    chunk["description"] = "A streamed legacy completion chunk."
    return {**chunk, **ADDED}


def convert_operation(operation: dict, summary: str) -> dict:
    out = {
        key: convert_schema(value)
        for key, value in operation.items()
        if not is_extension_to_drop(key) and key not in ("summary", "description")
    }
    out["summary"] = summary
    for status, response in out["responses"].items():
        schema = (response.get("content") or {}).get("application/json", {}).get("schema")
        if schema == {"$ref": "#/components/schemas/Error"}:
            # Errors arrive wrapped, `{"error": {...}}`, as OpenAI sends them.
            out["responses"][status] = error_response()
    out["responses"]["default"] = error_response()
    return out


def health_operation(operation: Operation) -> dict:
    """Our own liveness check: no key, a fixed answer."""
    return {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "security": [],
        "responses": {
            "200": {
                "description": "The gateway is up.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/HealthResponse"}}
                },
            }
        },
    }


OURS = {"getHealth": health_operation}


def trim(source: dict) -> dict:
    operations = {op.operation_id: source["paths"][op.path][op.method] for op in OFFICIAL}
    roots: list[Any] = list(operations.values())
    roots += [{"$ref": f"#/components/schemas/{name}"} for name in EXTRA_SCHEMAS]
    roots.append({"$ref": "#/components/schemas/ErrorResponse"})
    refs = closure(source, roots)

    components: dict[str, dict] = {"schemas": {}, "responses": {}}
    for ref in sorted(refs):
        _, _, kind, name = ref.split("/")
        components[kind][name] = convert_schema(ref_target(source, ref))
    schemas = components["schemas"]
    add_discriminator_mappings(schemas)
    drop_nullability_only_overrides(schemas)
    schemas["CreateCompletionStreamResponse"] = completion_stream_schema(
        schemas["CreateCompletionResponse"]
    )
    # OpenAI answers `encoding_format: base64` with a string, which its own spec omits.
    vector = schemas["Embedding"]["properties"]["embedding"]
    schemas["Embedding"]["properties"]["embedding"] = {
        "oneOf": [vector, {"type": "string", "description": "Base64 of little-endian float32s."}],
        **ADDED,
    }
    schemas["HealthResponse"] = {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["ok"]}},
        **ADDED,
    }
    components["securitySchemes"] = {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A key from GATEWAY_API_KEYS.",
            **ADDED,
        }
    }

    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        if op.origin == "official":
            converted = convert_operation(operations[op.operation_id], op.summary)
        elif op.origin == "alias":
            original = next(o for o in OPERATIONS if o.operation_id == op.alias_of)
            converted = copy.deepcopy(paths[original.path][original.method])
            converted["operationId"], converted["summary"] = op.operation_id, op.summary
        else:
            converted = OURS[op.operation_id](op)
        item = paths.setdefault(op.path, {})
        if op.servers != ("/v1",):
            # Outside /v1 as well (aliases some clients and editors call, our own paths).
            item.update({"servers": [{"url": url} for url in op.servers], **ADDED})
        item[op.method] = converted

    # OpenAI answers a deletion with a small object its spec leaves undescribed.
    deleted = paths["/responses/{response_id}"]["delete"]["responses"]["200"]
    deleted["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/DeletedResponse"}}
    }
    deleted.update(ADDED)
    schemas["DeletedResponse"] = {
        "type": "object",
        "required": ["id", "object", "deleted"],
        "properties": {
            "id": {"type": "string"},
            "object": {"type": "string", "enum": ["response"]},
            "deleted": {"type": "boolean", "enum": [True]},
        },
        **ADDED,
    }
    bound_integer_parameters(paths)
    stored_chat_completions(paths, schemas)
    completions_ok = paths["/completions"]["post"]["responses"]["200"]
    completions_ok["content"]["text/event-stream"] = {
        "schema": {"$ref": "#/components/schemas/CreateCompletionStreamResponse"},
        **ADDED,
    }

    document = {"paths": paths, "components": components}
    relax_request_schemas(source, document)
    add_open_responses_fields(schemas)

    info = {key: value for key, value in source["info"].items() if key in ("title", "version")}
    info["title"] = "copilot-gateway (OpenAI API subset)"
    info["description"] = (
        "The operations of the OpenAI API that copilot-gateway serves, trimmed from the "
        f"official spec {source['info']['version']} and converted to OpenAPI 3.0.3."
    )
    info["license"] = {"name": source["info"]["license"]["name"]}
    return {
        "openapi": "3.0.3",
        "info": info,
        "servers": [{"url": "/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": components,
    }


INT64 = {"minimum": -(2**63), "maximum": 2**63 - 1}
REQUEST_ROLES = ["developer", "system", "user", "assistant", "tool", "function"]


def bound_integer_parameters(paths: dict) -> None:
    """A path's or query's integer is a 64-bit one, as the database takes it: a client's
    larger number is a 400 naming the parameter, never a failure behind it."""
    for item in paths.values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if schema.get("type") == "integer" and "maximum" not in schema:
                    schema.update({**INT64, **ADDED})


def stored_chat_completions(paths: dict, schemas: dict) -> None:
    """The stored chat completions' operations as the SDKs call them: `metadata[key]=value`
    filters (a deepObject, which the official document leaves unsaid), and messages listed
    with the roles they were sent with (the official item is the model's own message)."""
    listing = paths["/chat/completions"]["get"]
    for parameter in listing["parameters"]:
        if parameter["name"] == "metadata":
            parameter.update(
                style="deepObject",
                explode=True,
                schema={"type": "object", "additionalProperties": {"type": "string"}},
                **ADDED,
            )
    stored = copy.deepcopy(schemas["ChatCompletionResponseMessage"])
    stored["properties"]["role"]["enum"] = REQUEST_ROLES
    stored["description"] = "A message of a stored chat completion's request."
    schemas["ChatCompletionStoredMessage"] = {**stored, **ADDED}
    item = schemas["ChatCompletionMessageList"]["properties"]["data"]["items"]
    item["allOf"][0] = {"$ref": "#/components/schemas/ChatCompletionStoredMessage"}
    item.update(ADDED)


class _Dumper(yaml.SafeDumper):
    """Block style, no anchors: the file is read by people too."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(document: dict) -> str:
    header = "# Generated by scripts/trim_spec.py from the official OpenAI spec: do not edit.\n"
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def write_or_check(target: Path, text: str, check: bool, script: str) -> int:
    """Write the generated document, or with `check` say (exit 1) how the committed one
    differs from it."""
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if not check:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    elif current != text:
        diff = difflib.unified_diff(
            current.splitlines(), text.splitlines(), "committed", "regenerated", lineterm=""
        )
        print("\n".join(list(diff)[:60]), file=sys.stderr)
        print(f"{target} is stale: run {script}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET)
    parser.add_argument("--check", action="store_true", help="fail if the target is stale")
    args = parser.parse_args()

    if not args.source.is_file():
        print(f"The official spec is not at {args.source}: pass --source FILE.", file=sys.stderr)
        return 2
    with args.source.open(encoding="utf-8") as handle:
        source = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    text = render(trim(source))
    return write_or_check(args.target, text, args.check, "scripts/trim_spec.py")


if __name__ == "__main__":
    sys.exit(main())
