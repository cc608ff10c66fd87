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
        ("claude-3-7-sonnet-20250219", "claude-sonnet-4"),  # the family's next served
        ("mistral-large", "mistral-large"),  # nothing like it served: as sent
    ],
)
def test_resolution_rule(sent: str, resolved: str) -> None:
    assert resolve(sent, SERVED, {}) == resolved


# A catalogue as Copilot's was in late 2026 (see the reference's §1.3), for the names the
# SDKs and CLIs of that time send.
SERVED_2026 = {
    *("gpt-4.1", "gpt-4o", "gpt-4o-mini", "gpt-5-mini", "gpt-5.4", "gpt-5.4-mini", "gpt-5.5"),
    "gpt-5.4-nano",
    *("gpt-5.6-sol", "gpt-5.3-codex", "text-embedding-3-small", "text-embedding-ada-002"),
    *("claude-sonnet-4", "claude-sonnet-4.5", "claude-sonnet-4.6", "claude-sonnet-5"),
    *("claude-haiku-4.5", "claude-opus-4.5", "claude-opus-4.6", "claude-opus-4.6-fast"),
    *("claude-opus-4.8", "claude-opus-4.8-1m", "claude-opus-5"),
    *("gemini-2.5-pro", "gemini-3.1-pro-preview", "gemini-3.5-flash"),
}


@pytest.mark.parametrize(
    ("sent", "resolved"),
    [
        # Anthropic's ids, dated or not, for Copilot's dotted ones.
        ("claude-opus-4-6", "claude-opus-4.6"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4.5"),
        ("claude-haiku-4-5-20251001", "claude-haiku-4.5"),
        # Claude's raw variants: the one served, else the base model.
        ("claude-opus-4-6-fast", "claude-opus-4.6-fast"),
        ("claude-opus-4-8[1m]", "claude-opus-4.8-1m"),
        ("claude-opus-4-6[1m]", "claude-opus-4.6"),
        ("claude-opus-4-8-high", "claude-opus-4.8"),
        ("claude-sonnet-4-6-xhigh", "claude-sonnet-4.6"),
        ("claude-opus-4.8-1m-internal", "claude-opus-4.8"),
        # Retired Claude models: their family's next served; newer than served: the newest.
        ("claude-opus-4-1-20250805", "claude-opus-4.5"),
        ("claude-opus-4-20250514", "claude-opus-4.5"),
        # Anthropic's `-0` aliases are the model itself, not a release after it.
        ("claude-sonnet-4-0", "claude-sonnet-4"),
        ("claude-sonnet-4-0-20250514", "claude-sonnet-4"),
        ("claude-3-5-haiku-20241022", "claude-haiku-4.5"),
        ("claude-3-7-sonnet-latest", "claude-sonnet-4"),
        ("claude-opus-5-5", "claude-opus-5"),  # Claude Code's default: its major's newest
        ("claude-opus-6", "claude-opus-6"),  # a generation not served: unknown, not older
        # Claude Code's tier names, and undated family names: the newest of the family.
        ("opus", "claude-opus-5"),
        ("sonnet", "claude-sonnet-5"),
        ("haiku", "claude-haiku-4.5"),
        ("claude-opus-latest", "claude-opus-5"),
        # OpenAI's: the SDKs' tests, Codex's defaults, dated snapshots, retired minis.
        ("gpt-5.4", "gpt-5.4"),
        ("gpt-5-codex", "gpt-5.3-codex"),
        ("gpt-5.2-codex", "gpt-5.3-codex"),
        ("gpt-5", "gpt-5.4"),
        ("gpt-9", "gpt-9"),
        ("gpt-5-nano", "gpt-5.4-nano"),  # opencode's small model
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4.1-mini", "gpt-5-mini"),
        ("o4-mini", "gpt-5-mini"),
        ("text-embedding-ada-002", "text-embedding-ada-002"),  # served: never replaced
        ("text-embedding-3-large", "text-embedding-3-large"),  # no family member: unknown
        # Gemini CLI's.
        ("gemini-2.5-pro", "gemini-2.5-pro"),
        ("gemini-2.5-pro-customtools", "gemini-2.5-pro"),
        ("gemini-2.5-flash", "gemini-3.5-flash"),
        ("gemini-3-pro-preview", "gemini-3.1-pro-preview"),
    ],
)
def test_names_of_todays_clients_reach_what_copilot_serves(sent: str, resolved: str) -> None:
    assert resolve(sent, SERVED_2026, {}) == resolved


def test_an_alias_wins_over_a_family_and_a_variant() -> None:
    aliases = {"claude-opus-4-1": "claude-sonnet-5", "claude-opus-4.8-high": "gpt-5.5"}
    assert resolve("claude-opus-4-1-20250805", SERVED_2026, aliases) == "claude-sonnet-5"
    assert resolve("claude-opus-4-8-high", SERVED_2026, aliases) == "gpt-5.5"


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
