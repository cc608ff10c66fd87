"""A client speaking to the emulator as Copilot's clients do."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

EDITOR = {"Editor-Version": "vscode/1.104.3"}


@pytest.fixture
def copilot(emulator_url: str) -> Iterator[httpx.Client]:
    """A client holding a Copilot token from the emulator's own exchange."""
    exchange = httpx.get(
        f"{emulator_url}/copilot_internal/v2/token", headers={"Authorization": "token gho_abc"}
    )
    assert exchange.status_code == 200
    with httpx.Client(
        base_url=exchange.json()["endpoints"]["api"],
        headers={**EDITOR, "Authorization": f"Bearer {exchange.json()['token']}"},
    ) as client:
        yield client
