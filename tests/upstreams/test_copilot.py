"""The copilot upstream's session and catalogue, in-process against the emulator: the token
exchange, its refusals and refreshes, where the token may go, Copilot's headers, the model
list (and, over real HTTP through a gateway, what a client sees of them)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from copilot_gateway.emulator import CopilotEmulator, EmulatorConfig, Fault
from copilot_gateway.errors import (
    GatewayError,
    RateLimited,
    TokenExchangeRefused,
    UpstreamError,
    UpstreamFailed,
)
from copilot_gateway.surfaces.openai.endpoints import CHAT
from copilot_gateway.upstreams.base import Json
from copilot_gateway.upstreams.copilot.session import allowed_api_base
from copilot_gateway.upstreams.copilot.upstream import CopilotUpstream
from emulated_copilot import call_once, copilot_on, record, run

CHAT_BODY: Json = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


async def chats(copilot: CopilotUpstream, count: int) -> None:
    for _ in range(count):
        await copilot.call(CHAT, CHAT_BODY, record())


def refusal(emulator: CopilotEmulator, github_token: str) -> GatewayError:
    """What asking for the models with this GitHub token raises."""
    with pytest.raises(GatewayError) as raised:
        run(copilot_on(emulator, github_token), lambda copilot: copilot.models())
    return raised.value


def test_token_is_exchanged_once_and_reused(emulator: CopilotEmulator) -> None:
    run(copilot_on(emulator), lambda copilot: chats(copilot, 3))
    assert emulator.state.exchanges == 1


def test_token_is_refreshed_before_it_expires() -> None:
    # A token that lives 60 s is due for refresh at once (refresh margin 60 s).
    emulator = CopilotEmulator(EmulatorConfig(token_lifetime=60))
    run(copilot_on(emulator), lambda copilot: chats(copilot, 2))
    tokens_used = [headers["authorization"] for headers in emulator.state.seen_headers]
    assert len(tokens_used) >= 3  # models once (for the premium count), then two chats
    assert len(set(tokens_used)) == len(tokens_used) == emulator.state.exchanges


def test_copilot_headers_are_sent(emulator: CopilotEmulator) -> None:
    call_once(emulator, CHAT, CHAT_BODY)
    headers = emulator.state.seen_headers[-1]
    assert headers["editor-version"].startswith("vscode/")
    assert headers["editor-plugin-version"].startswith("copilot-chat/")
    assert headers["copilot-integration-id"] == "vscode-chat"
    assert headers["openai-intent"] == "conversation-agent"  # VS Code's agent mode
    assert headers["x-github-api-version"]
    assert headers["x-request-id"] == headers["x-agent-task-id"]
    assert headers["authorization"].startswith("Bearer tid=")


def test_a_token_github_will_not_exchange_is_a_clear_502(emulator: CopilotEmulator) -> None:
    """GitHub answers 404 for tokens it issues no Copilot token for (not an OAuth token)."""
    error = refusal(emulator, "gho_not_for_copilot")
    assert isinstance(error, TokenExchangeRefused) and error.status == 502
    assert error.code == "copilot_token_exchange_failed"
    assert "device flow" in error.message
    assert "gho_not_for_copilot" not in error.message


def test_concurrent_first_requests_share_one_exchange(emulator: CopilotEmulator) -> None:
    async def burst(copilot: CopilotUpstream) -> None:
        await asyncio.gather(*(copilot.call(CHAT, CHAT_BODY, record()) for _ in range(50)))

    run(copilot_on(emulator), burst)
    assert emulator.state.exchanges == 1


def test_expired_token_is_exchanged_again_and_the_request_retried(
    emulator: CopilotEmulator,
) -> None:
    async def work(copilot: CopilotUpstream) -> Json:
        await copilot.call(CHAT, CHAT_BODY, record())
        for token in emulator.state.issued:  # Copilot now says "token expired"
            emulator.state.issued[token] = 0
        return await copilot.call(CHAT, CHAT_BODY, record())

    assert run(copilot_on(emulator), work)["choices"]
    assert emulator.state.exchanges == 2


def test_a_second_401_is_not_retried_again(emulator: CopilotEmulator) -> None:
    async def work(copilot: CopilotUpstream) -> None:
        await copilot.models()
        emulator.state.faults += [Fault(status=401, body="unauthorized")] * 2
        await copilot.call(CHAT, CHAT_BODY, record())

    with pytest.raises(UpstreamFailed) as raised:
        run(copilot_on(emulator), work)
    assert raised.value.code == "upstream_authentication_failed"
    assert emulator.state.exchanges == 2


@pytest.mark.parametrize(
    ("github_token", "kind", "says"),
    [
        ("gho_revoked", TokenExchangeRefused, "invalid or revoked"),
        ("gho_no_copilot", TokenExchangeRefused, "no Copilot access"),
        ("gho_rate_limited", RateLimited, "rate limiting"),
    ],
)
def test_exchange_refusals_say_what_to_do(
    emulator: CopilotEmulator, github_token: str, kind: type[GatewayError], says: str
) -> None:
    error = refusal(emulator, github_token)
    assert type(error) is kind
    assert says in error.message
    assert github_token not in error.message
    if kind is RateLimited:
        assert error.headers["retry-after"] == "30"


def test_the_token_is_never_sent_to_a_foreign_api_host() -> None:
    emulator = CopilotEmulator(EmulatorConfig(api_base="https://copilot.evil.example"))
    error = refusal(emulator, "gho_test_github_token")
    assert isinstance(error, UpstreamFailed) and error.code == "copilot_api_host_refused"
    assert not emulator.state.seen_headers


@pytest.mark.parametrize(
    ("api_base", "github_api", "allowed"),
    [
        ("https://api.githubcopilot.com", "https://api.github.com", True),
        ("https://api.business.githubcopilot.com", "https://api.github.com", True),
        ("http://api.githubcopilot.com", "https://api.github.com", False),
        ("https://evilgithubcopilot.com", "https://api.github.com", False),
        ("https://githubcopilot.com.evil.example", "https://api.github.com", False),
        ("https://copilot-api.acme.ghe.com", "https://api.acme.ghe.com", True),
        ("https://copilot-api.other.ghe.com", "https://api.acme.ghe.com", False),
        ("http://127.0.0.1:9090", "http://127.0.0.1:9090", True),
        ("http://127.0.0.1:9091", "http://127.0.0.1:9090", False),
    ],
)
def test_allowed_api_hosts(api_base: str, github_api: str, allowed: bool) -> None:
    assert allowed_api_base(api_base, github_api) is allowed


def test_a_rate_limited_model_list_keeps_the_last_one(emulator: CopilotEmulator) -> None:
    async def twice(copilot: CopilotUpstream) -> tuple[list[str], list[str]]:
        first = list(await copilot.models())
        emulator.state.faults.append(Fault(status=429, body='{"error":{"message":"slow down"}}'))
        return first, list(await copilot.models())

    first, second = run(copilot_on(emulator, models_cache_seconds=0), twice)
    assert first == second and first


def test_upstream_refusing_a_responses_only_model_keeps_its_code(
    emulator: CopilotEmulator,
) -> None:
    with pytest.raises(UpstreamError) as raised:
        call_once(emulator, CHAT, {**CHAT_BODY, "model": "gpt-5.3-codex"})
    assert (raised.value.status, raised.value.code) == (400, "unsupported_api_for_model")


# What a client sees of them, through a gateway.


def test_embeddings_input_goes_upstream_as_a_list(client: httpx.Client) -> None:
    # The emulator, like some Copilot backends, refuses a bare string.
    response = client.post(
        "/v1/embeddings", json={"model": "text-embedding-3-small", "input": "one string"}
    )
    assert response.status_code == 200 and len(response.json()["data"]) == 1


def test_models_leave_out_what_copilot_will_not_serve(client: httpx.Client) -> None:
    ids = [model["id"] for model in client.get("/v1/models").json()["data"]]
    assert len(ids) == len(set(ids))  # Copilot's duplicates removed
    assert "claude-opus-4.6-fast" not in ids  # disabled by policy
    assert "gpt-5.3-codex" in ids  # Responses-only: chat is translated there
    assert "gpt-41-copilot" not in ids  # code completions only
    # A raw variant its policy disables is its base model (see access.aliases).
    based = client.post(
        "/v1/chat/completions", json={**CHAT_BODY, "model": "claude-opus-4.6-fast"}
    ).json()
    assert based["model"] == "claude-opus-4.6"
    error = client.post("/v1/chat/completions", json={**CHAT_BODY, "model": "gpt-41-copilot"})
    assert error.json()["error"]["code"] == "model_not_found"
    owners = {model["id"]: model["owned_by"] for model in client.get("/v1/models").json()["data"]}
    assert owners["claude-sonnet-4"] == "Anthropic"
