"""The windows budgets count in (the UTC day, the UTC calendar month), and how they read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from copilot_gateway.access.rules import AccessConfig
from copilot_gateway.key_limits.budgets import Budget, budgets_of, day_of, month_of, spent_budget
from copilot_gateway.key_limits.headers import credits_text
from copilot_gateway.key_limits.policy import KeyLimits


def at(text: str) -> float:
    """Epoch seconds of an ISO time, read as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.fixture(params=["UTC", "Pacific/Kiritimati", "America/Los_Angeles"])
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Whatever the machine's own time zone, the windows are UTC's."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_zone")
@pytest.mark.parametrize(
    ("moment", "name", "start", "end"),
    [
        ("2026-12-02T10:05:00", "2026-12-02", "2026-12-02T00:00:00", "2026-12-03T00:00:00"),
        ("2026-12-02T00:00:00", "2026-12-02", "2026-12-02T00:00:00", "2026-12-03T00:00:00"),
        ("2026-12-31T23:59:59", "2026-12-31", "2026-12-31T00:00:00", "2027-01-01T00:00:00"),
        ("2028-02-28T12:00:00", "2028-02-28", "2028-02-28T00:00:00", "2028-02-29T00:00:00"),
    ],
)
def test_a_day_is_the_utc_day_holding_the_moment(
    moment: str, name: str, start: str, end: str
) -> None:
    window = day_of(at(moment))
    assert (window.span, window.name) == ("day", name)
    assert (window.starts_at, window.ends_at) == (at(start), at(end))
    assert window.limit_name == "credits_per_day"


@pytest.mark.usefixtures("local_zone")
@pytest.mark.parametrize(
    ("moment", "name", "end"),
    [
        ("2026-12-02T10:05:00", "2026-12", "2027-01-01T00:00:00"),  # December: into next year
        ("2026-12-31T23:59:59.999", "2026-12", "2027-01-01T00:00:00"),
        ("2027-01-01T00:00:00", "2027-01", "2027-02-01T00:00:00"),
        ("2027-02-15T08:00:00", "2027-02", "2027-03-01T00:00:00"),  # 28 days
        ("2028-02-29T23:00:00", "2028-02", "2028-03-01T00:00:00"),  # a leap year's 29th
        ("2026-04-30T23:59:59", "2026-04", "2026-05-01T00:00:00"),  # a 30-day month
    ],
)
def test_a_month_runs_from_its_first_day_to_the_next_months_at_midnight_utc(
    moment: str, name: str, end: str
) -> None:
    window = month_of(at(moment))
    assert (window.span, window.name) == ("month", name)
    assert window.starts_at == at(f"{name}-01T00:00:00")
    assert window.ends_at == at(end)
    assert window.limit_name == "credits_per_month"


def test_a_budgets_size_is_exact_in_nano_aiu() -> None:
    limits = KeyLimits(credits_per_day=0.3, credits_per_month=250)
    day, month = budgets_of(limits, at("2026-12-02T10:00:00"))
    assert (day.window.span, day.limit) == ("day", 300_000_000)
    assert (month.window.span, month.limit) == ("month", 250_000_000_000)
    assert budgets_of(KeyLimits(rpm=5), at("2026-12-02T10:00:00")) == []


def test_a_spent_month_refuses_until_the_month_ends_even_when_the_day_is_spent_too() -> None:
    day, month = budgets_of(KeyLimits(credits_per_day=1, credits_per_month=2), at("2026-12-02"))
    assert spent_budget("team", [day, month]) is None
    day.spent = day.limit
    refusing, message = spent_budget("team", [day, month]) or (None, "")
    assert refusing is day
    assert message == (
        "Key 'team' has spent its daily budget (credits_per_day) of 1 AI Credits; "
        "it renews at 2026-12-03 00:00 UTC."
    )
    month.spent = month.limit + 5  # over: what was in flight when it ran out
    refusing, message = spent_budget("team", [day, month]) or (None, "")
    assert refusing is month
    assert "monthly budget (credits_per_month) of 2 AI Credits" in message
    assert "2027-01-01 00:00 UTC" in message


@pytest.mark.parametrize(
    ("nano", "text"),
    [
        (0, "0"),
        (-5, "0"),
        (10**9, "1"),
        (1_500_000_000, "1.5"),
        (29_700_000, "0.0297"),
        (29_799_999, "0.0297"),  # rounded down: what is left is never overstated
        (99_999, "0"),
        (123_456_789_012, "123.4567"),
    ],
)
def test_credits_read_with_up_to_four_decimals(nano: int, text: str) -> None:
    assert credits_text(nano) == text


def test_what_is_left_takes_this_requests_cost_off_and_never_goes_below_zero() -> None:
    (day,) = budgets_of(KeyLimits(credits_per_day=1), at("2020-01-02"))
    day = Budget(day.window, day.limit, 400_000_000)
    assert day.left() == 600_000_000
    assert day.left(100_000_000) == 500_000_000
    assert day.left(2 * 10**9) == 0
    headers = day.headers(100_000_000)
    assert headers["x-ratelimit-limit-credits-day"] == "1"
    assert headers["x-ratelimit-remaining-credits-day"] == "0.5"
    assert headers["x-ratelimit-reset-credits-day"] == "0ms"  # that day is long over


@pytest.mark.parametrize("value", ["0", "-1", "'ten'"])
def test_a_budget_must_be_a_positive_number(tmp_path: Path, value: str) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(f'[[keys]]\nname = "a"\nsha256 = "{"0" * 64}"\ncredits_per_day = {value}\n')
    with pytest.raises(ValidationError, match="credits_per_day"):
        AccessConfig.load(path)


def test_a_budget_may_be_a_fraction_of_a_credit(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(
        f'[[keys]]\nname = "a"\nsha256 = "{"0" * 64}"\n'
        "credits_per_day = 0.5\ncredits_per_month = 20\n"
    )
    (entry,) = AccessConfig.load(path).keys
    assert (entry.credits_per_day, entry.credits_per_month) == (0.5, 20)
    assert entry.limited and entry.has_budget and not entry.counts_tokens
