"""The official Node SDKs (`openai` and `@anthropic-ai/sdk` from the npm registry) against a
running gateway."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from npm_projects import installed

from conftest import API_KEY

NODE_PROJECT = Path(__file__).parent / "node"


@pytest.fixture(scope="session")
def node_sdk() -> tuple[str, Path]:
    """node, and the SDK's check script, the SDK installed once per run with npm."""
    return installed(NODE_PROJECT), NODE_PROJECT / "sdk_check.mjs"


def test_node_sdk_calls_every_operation(node_sdk: tuple[str, Path], gateway_url: str) -> None:
    node, script = node_sdk
    result = subprocess.run(
        [node, str(script), f"{gateway_url}/v1", API_KEY],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert "gpt-4o" in seen["models"]
    assert (
        seen["chat"]["id"].startswith("chatcmpl-") and "Hello from Node" in seen["chat"]["content"]
    )
    assert seen["chat"]["usage"]["total_tokens"] > 0
    assert seen["stream"]["text"] == seen["chat"]["content"] and seen["stream"]["ids"] == 1
    assert seen["embeddings"] == [1536, 1536]
    for model in ("gpt-4o", "gpt-5.3-codex"):
        answered = seen["responses"][model]
        assert answered["id"].startswith("resp_")
        assert answered["text"] == answered["streamedText"]
        assert answered["text"].endswith("You said: Hello Responses")
        assert answered["first"] == ["response.created", 0]
        assert answered["last"][0] == "response.completed" and answered["numbered"]
    assert seen["notFound"] == {"class": "NotFoundError", "status": 404, "code": "model_not_found"}
    assert seen["badRequest"]["class"] == "BadRequestError" and seen["badRequest"]["status"] == 400
    assert seen["unauthorized"] == {
        "class": "AuthenticationError",
        "status": 401,
        "code": "invalid_api_key",
    }


@pytest.mark.parametrize("model", ["claude-sonnet-4", "gpt-4o"])  # native, translated
def test_node_anthropic_sdk_creates_and_streams(
    node_sdk: tuple[str, Path], gateway_url: str, model: str
) -> None:
    node, script = node_sdk
    result = subprocess.run(
        [node, str(script.parent / "anthropic_check.mjs"), gateway_url, API_KEY, model],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert f"{model} emulator. You said: Hello from Node" in seen["create"]["text"]
    assert seen["create"]["stop"] == "end_turn" and seen["create"]["usage"]["output_tokens"] > 0
    assert seen["stream"]["text"] == seen["stream"]["final"] == seen["create"]["text"]
    assert seen["stream"]["stop"] == "end_turn"
    assert seen["unauthorized"] == {
        "class": "AuthenticationError",
        "status": 401,
        "type": "authentication_error",
    }


def test_vercel_ai_sdk_speaks_responses_to_the_gateway(
    node_sdk: tuple[str, Path], gateway_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """`openai(model)` of `@ai-sdk/openai` calls /v1/responses: text, a stream, a tool."""
    caplog.set_level("INFO", logger="copilot_gateway.access")
    node, script = node_sdk
    result = subprocess.run(
        [node, str(script.parent / "ai_sdk_check.mjs"), f"{gateway_url}/v1", API_KEY],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    for model in ("gpt-4o", "gpt-5.3-codex"):
        answered = seen[model]
        assert answered["text"] == f"Hello from the {model} emulator. You said: Hello Vercel"
        assert answered["streamed"] == answered["text"]
        assert answered["finish"] == "stop" and answered["usage"] > 0
        assert answered["calls"] == ["emulated"]
        assert answered["toolResults"] == ["sunny in emulated"]
    posted = {
        getattr(r, "path", None) for r in caplog.records if getattr(r, "method", None) == "POST"
    }
    assert posted == {"/v1/responses"}
