"""Requests as real clients send them: what the real API defaults may be left out."""

from __future__ import annotations

import httpx
import pytest

from openapi_oracle import validate_exchange

# A Vercel-AI-style function tool: no `strict`, no `parameters`.
BARE_TOOL = {"type": "function", "name": "lookup", "description": "Look a word up."}
IMAGE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# One model Copilot serves on /responses (native), one it serves through chat (translated).
MODELS = ["gpt-5.3-codex", "claude-sonnet-4"]


@pytest.mark.parametrize("model", MODELS)
def test_a_function_tool_without_strict_or_parameters_is_accepted(
    client: httpx.Client, model: str
) -> None:
    body = {"model": model, "input": "hi", "tools": [BARE_TOOL]}
    response = client.post("/v1/responses", json=body)
    validate_exchange(response)
    assert response.status_code == 200, response.text
    (tool,) = response.json()["tools"]
    assert tool["name"] == "lookup" and tool["strict"] is None and tool["parameters"] is None


@pytest.mark.parametrize("model", MODELS)
def test_an_input_image_without_detail_is_accepted(client: httpx.Client, model: str) -> None:
    image = {"type": "input_image", "image_url": IMAGE}
    message = {"role": "user", "content": [{"type": "input_text", "text": "what?"}, image]}
    response = client.post("/v1/responses", json={"model": model, "input": [message]})
    validate_exchange(response)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "completed"


def test_a_required_field_without_a_documented_default_is_still_required(
    client: httpx.Client,
) -> None:
    tool = {"type": "function", "description": "no name"}
    response = client.post(
        "/v1/responses", json={"model": MODELS[0], "input": "hi", "tools": [tool]}
    )
    validate_exchange(response)
    assert response.status_code == 400
    assert response.json()["error"]["param"].startswith("tools[0]")
