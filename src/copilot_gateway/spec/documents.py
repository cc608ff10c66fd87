"""The spec documents (one per API surface, under `openapi/`): loaded once, and the views
of them that connexion and clients need."""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from connexion.spec import OpenAPISpecification


def spec_path(document: str) -> Path:
    """A packaged spec document, or the repository's own when running from a checkout."""
    packaged = resources.files("copilot_gateway") / "openapi" / document
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "openapi" / document


@cache
def load_spec(document: str) -> dict[str, Any]:
    """A spec document (e.g. `openai.yaml`) as a dict; connexion gets dicts, as it renders
    file paths through Jinja2."""
    with spec_path(document).open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def without_security(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as served when auth is disabled: no operation asks for a key."""
    spec = copy.deepcopy(spec)
    spec.pop("security", None)
    spec.get("components", {}).pop("securitySchemes", None)
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    return spec


def mounted_at_full_paths(spec: dict[str, Any]) -> dict[str, Any]:
    """Every path under its own server prefix, with one root server.

    connexion honours only the document's first server as a base path and ignores
    path-level `servers`, which is how our aliases (`/models`, `/openai`) and `/healthz`
    live outside `/v1`. Spelling each path out in full lets one API serve them all.
    """
    flat = {key: value for key, value in spec.items() if key not in ("paths", "servers")}
    flat["servers"] = [{"url": "/"}]
    flat["paths"] = {}
    for path, item in spec["paths"].items():
        servers = item.get("servers", spec.get("servers", [{"url": "/"}]))
        operations = {key: value for key, value in item.items() if key != "servers"}
        for server in servers:
            flat["paths"][server["url"].rstrip("/") + path] = operations
    return flat


def published(spec: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The spec as published: server URLs made absolute for this gateway (relative when
    base_url is "")."""
    served = copy.copy(spec)
    server = spec.get("servers", [{"url": "/"}])[0]["url"]
    served["servers"] = [{"url": base_url.rstrip("/") + server.rstrip("/") or "/"}]
    paths = {}
    for path, item in spec["paths"].items():
        if "servers" in item:
            item = {
                **item,
                "servers": [
                    {"url": base_url.rstrip("/") + server["url"].rstrip("/") or "/"}
                    for server in item["servers"]
                ],
            }
        paths[path] = item
    served["paths"] = paths
    return served


_checked_documents: set[bytes] = set()
_connexion_check = OpenAPISpecification._validate_spec


def _validate_spec_once(cls: type, spec: dict[str, Any]) -> None:
    """connexion checks a document against OpenAPI's meta-schema on every `add_api`: about a
    second for ours (the Responses API's schemas are large), for every app built. A document
    is checked once per process, by its content; an identical one again is not."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).digest()
    if digest in _checked_documents:
        return
    _connexion_check.__func__(cls, spec)  # type: ignore[attr-defined]
    _checked_documents.add(digest)


OpenAPISpecification._validate_spec = classmethod(_validate_spec_once)  # type: ignore[method-assign,assignment]
