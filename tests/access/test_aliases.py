"""Model names as Claude Code and the SDKs send them, resolved to the upstream's ids by the
documented rule and the config file's `[models.aliases]`; access rules bind the resolved id."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import pytest

from copilot_gateway.access.aliases import resolve
from servers import CopilotEmulator, gateway_app, gateway_settings, running

SERVED = {"claude-sonnet-4", "claude-3.5-sonnet", "claude-sonnet-4.5", "gpt-4o", "gpt-4.1"}
CAROL = "sk-carol-key"
CONFIG = f"""
[models.aliases]
"claude-3-5-haiku-20241022" = "gpt-4o"
"claude-opus-5-5" = "claude-sonnet-4"

[[keys]]
name = "carol"
sha256 = "{hashlib.sha256(CAROL.encode()).hexdigest()}"
deny = ["gpt-4o"]
"""


@pytest.mark.parametrize(
    ("sent", "resolved"),
    [
        ("claude-sonnet-4", "claude-sonnet-4"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("claude-sonnet-4-latest", "claude-sonnet-4"),
        ("claude-3-5-sonnet-20241022", "claude-3.5-sonnet"),
        ("claude-3-5-sonnet-latest", "claude-3.5-sonnet"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4.5"),
        ("claude-sonnet-4-5", "claude-sonnet-4.5"),
        ("gpt-4-1", "gpt-4.1"),
        ("claude-3-7-sonnet-20250219", "claude-3-7-sonnet-20250219"),  # not served: as sent
    ],
)
def test_resolution_rule(sent: str, resolved: str) -> None:
    assert resolve(sent, SERVED, {}) == resolved


def test_an_alias_wins_over_the_rule() -> None:
    aliases = {"claude-sonnet-4": "gpt-4o", "claude-3-5-haiku": "gpt-4.1"}
    assert resolve("claude-sonnet-4-20250514", SERVED, aliases) == "gpt-4o"
    assert resolve("claude-3-5-haiku-20241022", SERVED, aliases) == "gpt-4.1"


@pytest.fixture
def aliased_gateway(emulator_url: str, tmp_path: Path) -> Iterator[str]:
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG)
    with running(gateway_app(gateway_settings(emulator_url, config_file=config))) as url:
        yield url


def ask(url: str, model: str, key: str = "sk-test-key") -> anthropic.types.Message:
    client = anthropic.Anthropic(base_url=url, api_key=key, max_retries=0)
    return client.messages.create(
        model=model, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]
    )


def test_dated_claude_ids_reach_copilots_undated_model(
    aliased_gateway: str, emulator: CopilotEmulator
) -> None:
    message = ask(aliased_gateway, "claude-sonnet-4-20250514")
    assert "claude-sonnet-4 emulator" in message.content[0].text  # type: ignore[union-attr]
    assert emulator.state.seen_headers[-1].get("anthropic-version")  # served natively


def test_config_aliases_map_claude_codes_small_model(aliased_gateway: str) -> None:
    message = ask(aliased_gateway, "claude-3-5-haiku-20241022")
    assert "gpt-4o emulator" in message.content[0].text  # type: ignore[union-attr]
    message = ask(aliased_gateway, "claude-opus-5-5")
    assert "claude-sonnet-4 emulator" in message.content[0].text  # type: ignore[union-attr]


def test_aliases_work_on_the_openai_surface_too(aliased_gateway: str) -> None:
    body = {"model": "claude-3-5-haiku-20241022", "messages": [{"role": "user", "content": "Hi"}]}
    answer = httpx.post(
        f"{aliased_gateway}/v1/chat/completions",
        json=body,
        headers={"Authorization": "Bearer sk-test-key"},
    )
    assert answer.status_code == 200
    assert "gpt-4o emulator" in answer.json()["choices"][0]["message"]["content"]


def test_access_rules_bind_the_resolved_id(aliased_gateway: str) -> None:
    with pytest.raises(anthropic.NotFoundError):
        ask(aliased_gateway, "claude-3-5-haiku-20241022", key=CAROL)  # resolves to gpt-4o
    assert ask(aliased_gateway, "claude-sonnet-4-20250514", key=CAROL).content


def test_retired_openai_names_reach_their_successor(client: httpx.Client) -> None:
    legacy = client.post(
        "/v1/completions", json={"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi"}
    )
    assert legacy.status_code == 200, legacy.text
    assert legacy.json()["model"] == "gpt-4o-mini"
    chat = client.post(
        "/v1/chat/completions",
        json={"model": "gpt-4-turbo", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert (
        chat.status_code == 200
        and "gpt-4.1 emulator" in chat.json()["choices"][0]["message"]["content"]
    )
    # A name the upstream serves itself is never replaced (the emulator has ada-002).
    embedded = client.post(
        "/v1/embeddings", json={"model": "text-embedding-ada-002", "input": "hi"}
    )
    assert embedded.json()["model"] == "text-embedding-ada-002"
