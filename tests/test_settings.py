from __future__ import annotations

import pytest

from copilot_gateway.emulator.plans import SESSION_CREDITS
from copilot_gateway.settings import Settings, is_loopback
from copilot_gateway.upstream_from_settings import emulator_config


def test_api_keys_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_API_KEYS", " sk-a, sk-b ,,")
    assert [key.get_secret_value() for key in Settings().api_keys] == ["sk-a", "sk-b"]


def test_upstream_defaults_to_the_emulator() -> None:
    assert Settings().upstream_kind == "emulator"


def test_github_token_selects_copilot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "gho_x")
    assert Settings().upstream_kind == "copilot"


def test_upstream_url_selects_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_UPSTREAM_URL", "http://127.0.0.1:1/v1")
    assert Settings().upstream_kind == "openai"


def test_explicit_upstream_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "gho_x")
    monkeypatch.setenv("GATEWAY_UPSTREAM", "emulator")
    assert Settings().upstream_kind == "emulator"


def test_secrets_do_not_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "gho_very_secret")
    monkeypatch.setenv("GATEWAY_API_KEYS", "sk-very-secret")
    assert "very_secret" not in repr(Settings()) and "very-secret" not in repr(Settings())


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.0.2.1", False),
        ("example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_prices_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_PRICES", '{"gpt-4.1": {"input": 2, "output": 8, "cached": 0.5}}')
    price = Settings().prices["gpt-4.1"]
    assert (price.input, price.output, price.cached, price.cache_write) == (2, 8, 0.5, None)


def test_the_emulators_budgets_are_scaled_by_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_EMULATOR_BUDGET_SCALE", "1000")
    scaled = emulator_config(Settings())
    assert scaled.session_credits == {plan: 1000 * c for plan, c in SESSION_CREDITS.items()}
    assert emulator_config(Settings(emulator_budget_scale=1)).session_credits == SESSION_CREDITS
