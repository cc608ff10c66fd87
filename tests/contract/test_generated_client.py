"""The spec the gateway publishes generates a Python client that works against it."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

GENERATOR = str(Path(sys.executable).parent / "openapi-python-client")


@pytest.fixture
def generated(tmp_path: Path, gateway_url: str) -> Iterator[ModuleType]:
    spec = tmp_path / "openapi.json"
    spec.write_bytes(httpx.get(f"{gateway_url}/openapi.json").content)
    config = tmp_path / "config.yaml"
    config.write_text("package_name_override: gateway_client\npost_hooks: []\n")
    result = subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(tmp_path / "gateway_client"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Everything generated: a construct the generator skips would be a warning here.
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("gateway_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [
            n for n in sys.modules if n == "gateway_client" or n.startswith("gateway_client.")
        ]:
            del sys.modules[name]


def test_generated_client_calls_the_gateway(generated: ModuleType, gateway_url: str) -> None:
    list_models = importlib.import_module("gateway_client.api.models.list_models")
    chat = importlib.import_module("gateway_client.api.chat.create_chat_completion")
    embed = importlib.import_module("gateway_client.api.embeddings.create_embedding")
    models = importlib.import_module("gateway_client.models")
    client = generated.AuthenticatedClient(base_url=f"{gateway_url}/v1", token="sk-test-key")

    listed = list_models.sync(client=client)
    assert "gpt-4o" in [model.id for model in listed.data]

    request = models.CreateChatCompletionRequest.from_dict(
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "from a generated client"}]}
    )
    response = chat.sync_detailed(client=client, body=request)
    assert response.status_code == 200
    assert "from a generated client" in response.parsed.choices[0].message.content

    embedding = embed.sync(
        client=client,
        body=models.CreateEmbeddingRequest.from_dict(
            {"model": "text-embedding-3-small", "input": ["a", "b"]}
        ),
    )
    assert [item.index for item in embedding.data] == [0, 1]


def test_generated_client_sees_openai_errors(generated: ModuleType, gateway_url: str) -> None:
    retrieve = importlib.import_module("gateway_client.api.models.retrieve_model")
    client = generated.AuthenticatedClient(base_url=f"{gateway_url}/v1", token="sk-test-key")
    response = retrieve.sync_detailed("no-such-model", client=client)
    assert response.status_code == 404
    assert response.parsed.error.code == "model_not_found"
