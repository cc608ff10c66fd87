"""The tables of the docs (once the README's) are checked against the code and the spec, so
they cannot drift; and the README leads to every page."""

from __future__ import annotations

import re

from copilot_gateway import errors
from copilot_gateway.settings import Settings
from copilot_gateway.spec.documents import load_spec
from copilot_gateway.surfaces.openai.surface import error_type
from copilot_gateway.surfaces.registry import SURFACES
from docs_pages import DOCS, ROOT, page, pages, section

SETTING = re.compile(r"`(GATEWAY_[A-Z_]+|GITHUB_TOKEN)(?:=\w+)?`")
SETTINGS = {f"GATEWAY_{name.upper()}" for name in Settings.model_fields} | {"GITHUB_TOKEN"}


def test_endpoint_table_lists_every_operation_of_the_spec() -> None:
    listed = set(
        re.findall(
            r"^\| `(?:GET|POST|DELETE) [^|]+\| `(\w+)` \|",
            section(page("endpoints.md"), "Endpoints"),
            re.M,
        )
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
        r"^\| (\d{3}|4xx) \| `?(\w+| as the upstream said)`? \|",
        section(page("endpoints.md"), "Errors"),
        re.M,
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
    names = set(SETTING.findall(page("configuration.md")))
    assert names <= SETTINGS, names - SETTINGS
    undocumented = {f for f in SETTINGS if not f.startswith("GATEWAY_COPILOT_")} - names
    assert undocumented <= {"GATEWAY_HOST", "GATEWAY_PORT", "GATEWAY_GITHUB_TOKEN"}, undocumented


def test_every_setting_named_anywhere_in_the_docs_is_real() -> None:
    for name, text in pages().items():
        named = set(SETTING.findall(text))
        assert named <= SETTINGS, (name, named - SETTINGS)


def test_every_failure_row_names_a_test_that_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", page("failures.md"))
    assert len(named) >= 20
    for path, test in named:
        assert f"def {test}(" in (ROOT / path).read_text(), f"{path}::{test}"


def test_the_readme_links_to_every_page_of_the_docs() -> None:
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)(?:#[\w-]+)?\)", page("README.md")))
    assert linked == {path.name for path in DOCS.glob("*.md")}


def test_the_readme_stays_a_first_read() -> None:
    # Everything past what a newcomer needs first lives in docs/ (the site's pages): a few
    # lines a feature, about a screenful a surface.
    assert len(page("README.md").splitlines()) <= 300
    quickstart = section(page("README.md"), "Quickstart")
    first_block = re.findall(r"```sh\n(.*?)```", quickstart, re.S)[0]
    commands = [line.split()[0] for line in first_block.splitlines()]
    assert commands == ["scripts/serve", "scripts/test"]  # on a fresh machine, nothing else
    assert all((ROOT / command).is_file() for command in commands)
