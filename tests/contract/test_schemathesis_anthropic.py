"""schemathesis against a live gateway's Anthropic surface (openapi/anthropic.yaml): both
operations, every check, zero failures, on both routes (the native models with `x-api-key`,
as Anthropic's SDKs send keys; the translated ones with a bearer token, as Claude Code does).

Seeded and bounded for the default suite (SCHEMATHESIS_MAX_EXAMPLES raises the budget).
Without the coverage phase: on the request schema's 200 definitions it makes tens of
thousands of cases (a quarter of an hour), where fuzzing reaches every branch in seconds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from derived_spec import anthropic_for_schemathesis
from test_schemathesis import run

from conftest import API_KEY

HOOKS = Path(__file__).with_name("anthropic_hooks.py")
KEY_HEADERS = {"apiKey": f"x-api-key: {API_KEY}", "bearerAuth": f"Authorization: Bearer {API_KEY}"}


@pytest.mark.parametrize(("route", "scheme"), [("native", "apiKey"), ("translated", "bearerAuth")])
def test_schemathesis_finds_nothing_on_the_anthropic_surface(
    tmp_path: Path, gateway_url: str, route: str, scheme: str
) -> None:
    spec_file = tmp_path / "anthropic.json"
    spec_file.write_text(json.dumps(anthropic_for_schemathesis(scheme, route)))
    result = run(
        spec_file,
        gateway_url,
        "-H",
        KEY_HEADERS[scheme],
        config_text="",  # no operation of this surface needs a warning turned off
        phases="examples,fuzzing",
        hooks=HOOKS,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    banner = re.findall(r"^=+ (.+?) in [0-9.]+s =+$", result.stdout, re.MULTILINE)
    assert banner == ["No issues found"], result.stdout[-5000:]
