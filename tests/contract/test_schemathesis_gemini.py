"""schemathesis against a live gateway's Gemini surface (openapi/gemini.yaml): every
operation, at /v1beta and /v1, every check, zero failures. Valid requests on both routes a
model takes (chat, and the Responses API for a model served only there), from the document
narrowed to what the gateway serves (it refuses the rest by name: tests/surfaces/gemini);
invalid ones from the document as it is. Keys as `x-goog-api-key`.

Seeded and bounded for the default suite (SCHEMATHESIS_MAX_EXAMPLES raises the budget).
Without the coverage phase, as for the Anthropic surface: the request schema's breadth makes
it slow where fuzzing reaches every branch in seconds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from gemini_spec import GEMINI_ROUTES, gemini_as_served, gemini_for_schemathesis
from test_schemathesis import run

from conftest import API_KEY


@pytest.mark.parametrize("mode", [*GEMINI_ROUTES, "negative"])
def test_schemathesis_finds_nothing_on_the_gemini_surface(
    tmp_path: Path, gateway_url: str, mode: str
) -> None:
    spec = gemini_as_served() if mode == "negative" else gemini_for_schemathesis(mode)
    spec_file = tmp_path / "gemini.json"
    spec_file.write_text(json.dumps(spec))
    result = run(
        spec_file,
        gateway_url,
        "-H",
        f"x-goog-api-key: {API_KEY}",
        "--mode",
        "negative" if mode == "negative" else "positive",
        config_text="",
        phases="examples,fuzzing",
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    banner = re.findall(r"^=+ (.+?) in [0-9.]+s =+$", result.stdout, re.MULTILINE)
    assert banner == ["No issues found"], result.stdout[-5000:]
