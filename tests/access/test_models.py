"""Which models a caller may see and use: only the upstream's, each for its own kind, and
within the config file's rules (a denied model looks exactly like one that does not exist)."""

from __future__ import annotations

import asyncio

import pytest

from copilot_gateway.access.models import require_model, visible_models
from copilot_gateway.access.rules import AccessConfig
from copilot_gateway.errors import NotFound
from copilot_gateway.surfaces.openai.endpoints import CHAT
from memory_upstream import MemoryUpstream, call_to, model, scope_from

UPSTREAM = MemoryUpstream(
    catalogue=[
        model("gpt-4o", "chat", CHAT),
        model("claude-sonnet-4", "chat"),
        model("text-embedding-3-small", "embeddings"),
        model("mystery", None),
    ]
)
ACCESS = AccessConfig.model_validate(
    {
        "keys": [
            {"name": "alice", "sha256": "a" * 64, "allow": ["gpt-*", "text-*"]},
            {"name": "bob", "sha256": "b" * 64, "deny": ["gpt-4o"]},
        ],
        "countries": {"trusted_proxies": ["127.0.0.1"], "rules": {"cn": {"deny": ["claude-*"]}}},
    }
)


def visible(caller: str | None = None, **headers: str) -> list[str]:
    call = call_to(UPSTREAM, access=ACCESS, caller=caller, scope=scope_from(headers=headers))
    return [listed["id"] for listed in asyncio.run(visible_models(call))]


def refusal(model_id: str, kind: str | None = None, caller: str | None = None) -> NotFound:
    call = call_to(UPSTREAM, access=ACCESS, caller=caller)
    with pytest.raises(NotFound) as refused:
        asyncio.run(require_model(call, model_id, kind))
    assert call.record.model is None  # never a label for a model that was refused
    return refused.value


def test_without_rules_every_upstream_model_is_listed_as_an_openai_object() -> None:
    call = call_to(UPSTREAM)
    listed = asyncio.run(visible_models(call))
    assert listed == [info.listed for info in UPSTREAM.catalogue]


def test_models_a_key_may_not_use_are_hidden_from_it_only() -> None:
    assert visible("alice") == ["gpt-4o", "text-embedding-3-small"]
    assert visible("bob") == ["claude-sonnet-4", "text-embedding-3-small", "mystery"]
    assert visible("carol") == ["gpt-4o", "claude-sonnet-4", "text-embedding-3-small", "mystery"]


def test_country_rules_hide_models_from_callers_a_trusted_proxy_places_there() -> None:
    assert "claude-sonnet-4" not in visible("carol", **{"CF-IPCountry": "CN"})
    assert "claude-sonnet-4" in visible("carol", **{"CF-IPCountry": "DE"})


def test_a_model_the_caller_may_use_is_returned_and_noted() -> None:
    call = call_to(UPSTREAM, access=ACCESS, caller="alice")
    info = asyncio.run(require_model(call, "gpt-4o", "chat"))
    assert info is UPSTREAM.catalogue[0]
    assert call.record.model == "gpt-4o"


def test_a_model_of_unknown_kind_serves_every_kind_and_no_kind_asks_for_none() -> None:
    assert asyncio.run(require_model(call_to(UPSTREAM), "mystery", "embeddings")).id == "mystery"
    assert asyncio.run(require_model(call_to(UPSTREAM), "text-embedding-3-small")).kind == (
        "embeddings"
    )


def test_an_unknown_model_is_404_model_not_found() -> None:
    error = refusal("gpt-9")
    assert (error.status, error.code, error.param) == (404, "model_not_found", "model")
    assert "'gpt-9' does not exist" in error.message


def test_a_denied_model_is_answered_like_one_that_does_not_exist() -> None:
    denied = refusal("gpt-4o", "chat", caller="bob")
    missing = refusal("gpt-9", "chat", caller="bob")
    assert (denied.status, denied.code, denied.param) == (404, "model_not_found", "model")
    assert denied.message == missing.message.replace("gpt-9", "gpt-4o")
    assert refusal("claude-sonnet-4", caller="alice").code == "model_not_found"


def test_a_model_of_another_kind_is_404_model_not_supported() -> None:
    error = refusal("text-embedding-3-small", "chat")
    assert (error.status, error.code, error.param) == (404, "model_not_supported", "model")
    assert "embeddings model, not a chat model" in error.message
    assert refusal("gpt-4o", "embeddings").code == "model_not_supported"


def test_a_denied_model_of_another_kind_does_not_reveal_its_kind() -> None:
    # To bob, gpt-4o does not exist: not "a chat model", which would say it does.
    assert refusal("gpt-4o", "embeddings", caller="bob").code == "model_not_found"
