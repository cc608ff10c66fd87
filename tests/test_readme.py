"""The README's tables are checked against the code and the spec, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from copilot_gateway import errors
from copilot_gateway.settings import Settings
from copilot_gateway.spec.documents import load_spec
from copilot_gateway.surfaces.openai.surface import error_type
from copilot_gateway.surfaces.registry import SURFACES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def test_endpoint_table_lists_every_operation_of_the_spec() -> None:
    listed = set(
        re.findall(r"^\| `(?:GET|POST|DELETE) [^|]+\| `(\w+)` \|", section("Endpoints"), re.M)
    )
    served = {
        operation["operationId"]
        for surface in SURFACES
        for item in load_spec(surface.document)["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert listed == served - {"createChatCompletionAlias"}


def test_error_table_matches_the_error_kinds() -> None:
    rows = re.findall(
        r"^\| (\d{3}|4xx) \| `?(\w+| as the upstream said)`? \|", section("Endpoints"), re.M
    )
    documented = {(int(status), kind) for status, kind in rows if status != "4xx"}
    kinds = {
        (cls.status, error_type(cls("x")))
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.GatewayError)
        and cls is not errors.GatewayError
    }
    assert kinds == documented


def test_configuration_table_names_real_settings() -> None:
    names = set(re.findall(r"`(GATEWAY_[A-Z_]+|GITHUB_TOKEN)(?:=\w+)?`", section("Configuration")))
    fields = {f"GATEWAY_{name.upper()}" for name in Settings.model_fields} | {"GITHUB_TOKEN"}
    assert names <= fields, names - fields
    undocumented = {f for f in fields if not f.startswith("GATEWAY_COPILOT_")} - names
    assert undocumented <= {"GATEWAY_HOST", "GATEWAY_PORT", "GATEWAY_GITHUB_TOKEN"}, undocumented


def test_every_failure_row_names_a_test_that_exists() -> None:
    root = Path(__file__).resolve().parent.parent
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", section("Failures, and what a client gets"))
    assert len(named) >= 20
    for path, test in named:
        assert f"def {test}(" in (root / path).read_text(), f"{path}::{test}"
