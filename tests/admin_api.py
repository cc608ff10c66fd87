"""A gateway with the admin API, on a database of the test's: the token, its header, and
the settings that serve them."""

from __future__ import annotations

from typing import Any

import httpx

from copilot_gateway.settings import Settings
from databases import Database
from servers import gateway_settings

ADMIN_TOKEN = "admin-token-for-tests-only"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def admin_settings(emulator_url: str, database: Database, **overrides: Any) -> Settings:
    values = {"admin_token": ADMIN_TOKEN, "ledger_flush_seconds": 0.02, **database.settings}
    return gateway_settings(emulator_url, **{**values, **overrides})


def create_key(url: str, name: str, **rules: Any) -> str:
    """A runtime key made through the admin API: its secret."""
    response = httpx.post(f"{url}/admin/keys", json={"name": name, **rules}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return str(response.json()["secret"])


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
