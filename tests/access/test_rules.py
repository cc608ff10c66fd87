"""Access rules from the config file: per key and per country, through a real gateway."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from copilot_gateway.access.rules import AccessConfig, ModelRule
from copilot_gateway.app import ConfigurationError
from servers import gateway_app, gateway_settings, serving

ALICE, BOB = "sk-alice-key", "sk-bob-key"
CONFIG = f"""
[[keys]]
name = "alice"
sha256 = "{hashlib.sha256(ALICE.encode()).hexdigest()}"
allow = ["gpt-*", "text-embedding-*"]
deny = ["gpt-4.1"]

[[keys]]
name = "bob"
sha256 = "{hashlib.sha256(BOB.encode()).hexdigest()}"

[countries]
header = "CF-IPCountry"
trusted_proxies = ["127.0.0.0/8"]
[countries.rules.cn]
deny = ["claude-*"]
"""


@pytest.fixture
def ruled_gateway(emulator_url: str, tmp_path: Path) -> Iterator[str]:
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG)
    with serving(gateway_settings(emulator_url, config_file=config)) as url:
        yield url


def models(url: str, key: str, **headers: str) -> set[str]:
    answer = httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {key}", **headers})
    return {model["id"] for model in answer.json()["data"]}


def chat(url: str, key: str, model: str, **headers: str) -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    return httpx.post(
        f"{url}/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {key}", **headers},
    )


def test_rule_patterns() -> None:
    rule = ModelRule(allow=["gpt-*"], deny=["gpt-4.1"])
    assert (
        rule.permits("gpt-4o")
        and not rule.permits("gpt-4.1")
        and not rule.permits("claude-sonnet-4")
    )
    assert ModelRule().permits("anything")


def test_a_key_sees_and_calls_only_its_models(ruled_gateway: str) -> None:
    assert models(ruled_gateway, ALICE) == {
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-5-mini",
        "gpt-5.2",
        "gpt-5.2-codex",
        "gpt-5.3-codex",
        "gpt-5.4",
        "gpt-5.4-mini",
        "gpt-5.4-nano",
        "gpt-5.5",
        "gpt-5.6-luna",
        "gpt-5.6-sol",
        "gpt-5.6-terra",
        "text-embedding-3-small",
        "text-embedding-3-small-inference",
        "text-embedding-ada-002",
    }
    assert chat(ruled_gateway, ALICE, "gpt-4o").status_code == 200
    for forbidden in ("gpt-4.1", "claude-sonnet-4"):
        response = chat(ruled_gateway, ALICE, forbidden)
        # exactly the answer for a model that does not exist: nothing leaks
        missing = chat(ruled_gateway, ALICE, "no-such-model")
        assert response.status_code == missing.status_code == 404
        error, absent = response.json()["error"], missing.json()["error"]
        assert error["message"].replace(forbidden, "no-such-model") == absent["message"]
        assert {**error, "message": ""} == {**absent, "message": ""}
        assert response.json()["error"]["code"] == "model_not_found"
    assert (
        httpx.get(
            f"{ruled_gateway}/v1/models/gpt-4.1", headers={"Authorization": f"Bearer {ALICE}"}
        ).status_code
        == 404
    )


def test_other_keys_are_unrestricted_and_env_keys_still_work(ruled_gateway: str) -> None:
    assert "claude-sonnet-4" in models(ruled_gateway, BOB)
    assert "gpt-4.1" in models(ruled_gateway, "sk-test-key")
    assert (
        httpx.get(
            f"{ruled_gateway}/v1/models", headers={"Authorization": "Bearer sk-nobody"}
        ).status_code
        == 401
    )


def test_country_rules_apply_from_a_trusted_proxy(ruled_gateway: str) -> None:
    assert "claude-sonnet-4" in models(ruled_gateway, BOB, **{"CF-IPCountry": "DE"})
    assert "claude-sonnet-4" not in models(ruled_gateway, BOB, **{"CF-IPCountry": "CN"})
    assert chat(ruled_gateway, BOB, "claude-sonnet-4", **{"CF-IPCountry": "cn"}).status_code == 404


def test_country_header_from_an_untrusted_peer_is_ignored(
    emulator_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG.replace('["127.0.0.0/8"]', '["10.0.0.0/8"]'))
    with serving(gateway_settings(emulator_url, config_file=config)) as url:
        # A forwarded-for header does not make the peer a trusted proxy either.
        headers = {"CF-IPCountry": "CN", "X-Forwarded-For": "10.1.2.3"}
        assert "claude-sonnet-4" in models(url, BOB, **headers)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('[[keys]]\nname = "x"\nsha256 = "not-hex"\n', "sha256"),
        ("[[keys]]\nname = 'x'\nsha256 = '" + "a" * 64 + "'\nalow = ['gpt-*']\n", "alow"),
        ("[countries]\ntrusted_proxies = ['not an address']\n", "trusted_proxies"),
    ],
)
def test_a_bad_config_file_stops_start_up_naming_the_problem(
    emulator_url: str, tmp_path: Path, text: str, names: str
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(text)
    with pytest.raises(ConfigurationError, match=names):
        gateway_app(gateway_settings(emulator_url, config_file=config))


def test_config_keys_are_only_digests() -> None:
    with pytest.raises(ValidationError):
        AccessConfig.model_validate({"keys": [{"name": "x", "sha256": "sk-plain-key"}]})
