"""The spec documents (one per API surface, under `openapi/`): loaded once, and the views
of them that connexion and clients need."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import threading
from collections.abc import Iterator
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
_checking = threading.Lock()
# connexion's check, as every `OpenAPISpecification` runs it when made (see `private_apis`).
CHECK = "_validate_spec"


@contextlib.contextmanager
def meta_schema_checked_once() -> Iterator[None]:
    """While our app adds its documents: each is checked against OpenAPI's meta-schema once
    per process, by its content; an identical one again is not.

    connexion checks a document on every `add_api`: about a second for ours (the Responses
    API's schemas are large), for every app built (tests build many). connexion has no
    option for it, so its check is overridden here, only on the class connexion makes our
    documents with, and only for the block: once it ends connexion's own is back in place,
    for every other connexion app in the process (the bench's floor app, a test's). One
    block at a time, so a block in another thread never takes ours for connexion's.
    """
    with _checking:
        connexion_check = OpenAPISpecification._validate_spec
        overridden = OpenAPISpecification.__dict__.get(CHECK)

        def check_once(cls: type, spec: dict[str, Any]) -> None:
            content = json.dumps(spec, sort_keys=True, default=str).encode()
            digest = hashlib.sha256(content).digest()
            if digest in _checked_documents:
                return
            connexion_check(spec)
            _checked_documents.add(digest)

        setattr(OpenAPISpecification, CHECK, classmethod(check_once))
        try:
            yield
        finally:
            if overridden is None:
                delattr(OpenAPISpecification, CHECK)
            else:
                setattr(OpenAPISpecification, CHECK, overridden)
