"""The one module of the bench that reaches into the gateway finds every name it needs, at
its newest home first."""

from __future__ import annotations

import pytest

from benchlib import internals
from copilot_gateway.settings import Settings


@pytest.mark.parametrize("name", sorted(internals.NAMES))
def test_every_gateway_name_the_bench_uses_is_found(name: str) -> None:
    assert internals.resolve(name) is not None


def test_an_older_home_is_tried_after_a_newer_one_that_does_not_exist() -> None:
    found = internals.first_of(
        "copilot_gateway.no_such_module:Settings", "copilot_gateway.settings:Settings"
    )

    assert found is Settings


def test_a_name_found_nowhere_is_an_import_error() -> None:
    with pytest.raises(ImportError, match="none of"):
        internals.first_of("copilot_gateway.no_such_module:x", "copilot_gateway.settings:nope")
