"""The emulator speaks Copilot's protocol: token exchange, auth, headers, determinism."""

from __future__ import annotations

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig, EmulatorState, Fault

from .conftest import BASE, EDITOR, GITHUB_TOKEN

pytestmark = pytest.mark.anyio
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "same question"}]}


async def test_exchange_answers_like_github(github: httpx.AsyncClient) -> None:
    answer = (await github.get("/copilot_internal/v2/token", headers=GITHUB_TOKEN)).json()
    assert {"token", "expires_at", "refresh_in", "endpoints"} <= set(answer)
    assert answer["endpoints"]["api"] == BASE
    assert answer["refresh_in"] < answer["expires_at"]


@pytest.mark.parametrize(
    ("authorization", "status"), [("", 401), ("Bearer gho_abc", 401), ("token ghp_pat", 404)]
)
async def test_exchange_refuses_bad_credentials(
    github: httpx.AsyncClient, authorization: str, status: int
) -> None:
    response = await github.get(
        "/copilot_internal/v2/token", headers={"Authorization": authorization}
    )
    assert response.status_code == status
    assert "message" in response.json()


async def test_api_needs_an_issued_token(github: httpx.AsyncClient) -> None:
    response = await github.get("/models", headers={**EDITOR, "Authorization": "Bearer made-up"})
    assert response.status_code == 401 and response.text.startswith("unauthorized")


async def test_api_needs_the_editor_version(copilot: httpx.AsyncClient) -> None:
    del copilot.headers["Editor-Version"]
    response = await copilot.get("/models")
    assert response.status_code == 400
    assert "Editor-Version" in response.json()["error"]["message"]
    assert response.headers["content-type"].startswith("text/plain")  # as Copilot sends it


async def test_vision_needs_its_header(copilot: httpx.AsyncClient) -> None:
    content = [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": content}]}
    assert (await copilot.post("/chat/completions", json=body)).status_code == 400
    assert (
        await copilot.post(
            "/chat/completions", json=body, headers={"Copilot-Vision-Request": "true"}
        )
    ).status_code == 200


async def test_models_are_copilot_shaped(copilot: httpx.AsyncClient) -> None:
    models = (await copilot.get("/models")).json()["data"]
    types = {m["capabilities"]["type"] for m in models}
    assert {"chat", "embeddings"} <= types
    assert sum(m["capabilities"]["type"] == "chat" for m in models) >= 2
    assert all("vendor" in m for m in models)
    assert any("policy" in m for m in models)


async def test_same_request_same_answer(copilot: httpx.AsyncClient) -> None:
    first = (await copilot.post("/chat/completions", json=CHAT)).json()
    second = (await copilot.post("/chat/completions", json=CHAT)).json()
    assert first["choices"] == second["choices"] and first["usage"] == second["usage"]
    other = (
        await copilot.post(
            "/chat/completions", json={**CHAT, "messages": [{"role": "user", "content": "other"}]}
        )
    ).json()
    assert other["choices"] != first["choices"]


async def test_stream_opens_with_a_choiceless_chunk_and_ends_with_done(
    copilot: httpx.AsyncClient,
) -> None:
    text = (await copilot.post("/chat/completions", json={**CHAT, "stream": True})).text
    events = [e for e in text.split("\n\n") if e]
    assert '"choices":[]' in events[0] and "prompt_filter_results" in events[0]
    assert events[-1] == "data: [DONE]"


async def test_unknown_model_is_model_not_supported(copilot: httpx.AsyncClient) -> None:
    response = await copilot.post("/chat/completions", json={**CHAT, "model": "gpt-41-copilot"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "model_not_supported"


async def test_embeddings_refuse_a_bare_string(copilot: httpx.AsyncClient) -> None:
    body = {"model": "text-embedding-3-small", "input": "bare"}
    assert (await copilot.post("/embeddings", json=body)).status_code == 400
    assert (
        await copilot.post("/embeddings", json={**body, "input": ["listed"]})
    ).status_code == 200


async def test_expired_token_is_refused(
    emulator: CopilotEmulator, copilot: httpx.AsyncClient
) -> None:
    for token in emulator.state.issued:
        emulator.state.issued[token] = 0
    response = await copilot.get("/models")
    assert response.status_code == 401 and response.text == "unauthorized: token expired"


async def test_dimensions_beyond_the_model_are_refused(copilot: httpx.AsyncClient) -> None:
    """Found by schemathesis: dimensions=36683189 made the emulator build a giant vector."""
    body = {"model": "text-embedding-3-small", "input": ["x"], "dimensions": 36683189}
    response = await copilot.post("/embeddings", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == "dimensions"


async def test_reset_makes_it_fresh_but_keeps_its_tokens_working(
    emulator: CopilotEmulator, copilot: httpx.AsyncClient
) -> None:
    """One emulator serves test after test: what one test did must not reach the next, and
    the gateway holding a token from it must keep working."""
    emulator.config.token_interval_ms = 250
    emulator.config.device_polls.append("slow_down")
    emulator.state.faults.append(Fault(status=503))
    await copilot.get("/models")  # served the fault, and seen
    for token in emulator.state.issued:
        emulator.state.issued[token] = 0
    assert (await copilot.get("/models")).status_code == 401
    emulator.reset()
    assert emulator.config == EmulatorConfig()
    assert emulator.state == EmulatorState(issued=emulator.state.issued)
    assert (await copilot.get("/models")).status_code == 200  # the token issued before still works
    assert len(emulator.state.seen_headers) == 1
