"""The limits as the config file states them, and what the docs show."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from copilot_gateway.access.rules import AccessConfig
from copilot_gateway.config_file import describe
from copilot_gateway.key_limits.headers import duration
from copilot_gateway.key_limits.policy import DEFAULT_COMPLETION_TOKENS, expected_tokens
from copilot_gateway.settings import Settings
from docs_pages import page, section


def test_the_documented_limits_example_loads_with_its_limits(tmp_path: Path) -> None:
    limits = section(page("access.md"), "Limits and budgets")
    (example,) = re.findall(r"```toml\n(.*?)```", limits, re.S)
    digest = hashlib.sha256(b"k").hexdigest()
    path = tmp_path / "gateway.toml"
    path.write_text(re.sub(r'"<sha256[^"]*>"', f'"{digest}"', example))
    keys = {entry.name: entry for entry in AccessConfig.load(path).keys}
    limited = [entry for entry in keys.values() if entry.limited]
    assert limited, "the example limits no key"
    for name in (
        "rpm",
        "tpm",
        "max_parallel",
        "tokens_per_day",
        "credits_per_day",
        "credits_per_month",
    ):
        assert any(getattr(entry, name) for entry in limited), name


@pytest.mark.parametrize("value", ["0", "-1", "'ten'", "1.5"])
def test_a_limit_must_be_a_positive_whole_number(tmp_path: Path, value: str) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(f'[[keys]]\nname = "a"\nsha256 = "{"0" * 64}"\nrpm = {value}\n')
    with pytest.raises(ValidationError, match="rpm"):
        AccessConfig.load(path)


def test_a_redis_url_of_another_scheme_is_refused_without_repeating_it() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(redis_url="http://user:hunter2@host:6379")  # type: ignore[arg-type]
    told = describe(refused.value)  # what start-up prints
    assert "redis_url (GATEWAY_REDIS_URL)" in told
    assert "hunter2" not in told
    assert Settings(redis_url="redis://127.0.0.1:6379/0").redis_url is not None  # type: ignore[arg-type]


def test_a_stream_is_expected_to_spend_its_prompt_and_its_maximum_per_choice() -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello"}]}
    prompt = expected_tokens(body) - DEFAULT_COMPLETION_TOKENS
    assert prompt > 0
    assert expected_tokens({**body, "max_tokens": 10}) == prompt + 10
    assert expected_tokens({**body, "max_completion_tokens": 7, "n": 3}) == prompt + 21
    assert expected_tokens(None) == 0


@pytest.mark.parametrize(
    ("seconds", "written"),
    [(0.12, "120ms"), (6, "6s"), (1.5, "1.5s"), (360, "6m0s"), (7384, "2h3m4s")],
)
def test_reset_times_are_written_as_openai_writes_them(seconds: float, written: str) -> None:
    assert duration(seconds) == written
