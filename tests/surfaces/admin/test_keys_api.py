"""The admin API's keys over HTTP, on SQLite and on PostgreSQL: made (the secret once),
listed (the config file's too, read-only), changed, revoked; its errors in OpenAI's shape
with their `param`; its token checked, and no client key's; and none of it served without
GATEWAY_ADMIN_TOKEN."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from admin_api import ADMIN, ADMIN_TOKEN, admin_settings, bearer, create_key
from conftest import AUTH
from databases import KINDS, Database, database_of
from servers import gateway_settings, serving

CHAT = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


@pytest.fixture
def admin_url(emulator_url: str, database: Database, tmp_path: Path) -> Iterator[str]:
    config = tmp_path / "gateway.toml"
    digest = hashlib.sha256(b"sk-config-key").hexdigest()
    config.write_text(f'[[keys]]\nname = "ci"\nsha256 = "{digest}"\nrpm = 100\n')
    with serving(admin_settings(emulator_url, database, config_file=config)) as url:
        yield url


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def test_a_key_is_made_listed_changed_and_revoked(admin_url: str, database: Database) -> None:
    made = httpx.post(
        f"{admin_url}/admin/keys", json={"name": "alice", "allow": ["gpt-*"]}, headers=ADMIN
    )
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    assert secret.startswith("sk-cg-") and made.json()["hint"].startswith(secret[:10])
    assert made.json()["allow"] == ["gpt-*"] and made.json()["rpm"] is None

    listed = httpx.get(f"{admin_url}/admin/keys", headers=ADMIN).json()["data"]
    by_name = {key["name"]: key for key in listed}
    assert by_name["ci"]["source"] == "config" and by_name["ci"]["read_only"] is True
    assert by_name["ci"]["rpm"] == 100
    assert by_name["key-1"]["source"] == "environment"  # GATEWAY_API_KEYS' first
    assert by_name["alice"]["source"] == "runtime" and by_name["alice"]["read_only"] is False

    changed = httpx.patch(
        f"{admin_url}/admin/keys/alice", json={"rpm": 7, "allow": None}, headers=ADMIN
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["rpm"], changed.json()["allow"]) == (7, None)
    assert httpx.get(f"{admin_url}/admin/keys/alice", headers=ADMIN).json()["rpm"] == 7

    revoked = httpx.delete(f"{admin_url}/admin/keys/alice", headers=ADMIN)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    # Only the answer to its making ever held the secret: not the list, not the database.
    later = [httpx.get(f"{admin_url}/admin/keys", headers=ADMIN), changed, revoked]
    assert all(secret not in response.text for response in later)
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM keys")).all()
    assert secret not in repr(rows)
    assert hashlib.sha256(secret.encode()).hexdigest() in repr(rows)


def test_a_key_made_is_usable_at_once_and_refused_once_revoked(admin_url: str) -> None:
    secret = create_key(admin_url, "bob")
    assert httpx.get(f"{admin_url}/v1/models", headers=bearer(secret)).status_code == 200
    httpx.delete(f"{admin_url}/admin/keys/bob", headers=ADMIN)
    refused = httpx.get(f"{admin_url}/v1/models", headers=bearer(secret))
    assert error_of(refused, 401)["type"] == "authentication_error"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"name": "a b"}, "name"),
        ({"name": "carol", "rpm": 0}, "rpm"),
        ({"name": "carol", "allow": "gpt-*"}, "allow"),
        ({"name": "carol", "colour": "red"}, None),
        ({}, None),
    ],
)
def test_a_bad_field_is_400_naming_it(admin_url: str, body: dict[str, Any], param: str) -> None:
    error = error_of(httpx.post(f"{admin_url}/admin/keys", json=body, headers=ADMIN), 400)
    assert error["type"] == "invalid_request_error"
    if param is not None:
        assert error["param"] == param


def test_an_unknown_key_is_404_and_a_taken_name_409(admin_url: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = httpx.request(method, f"{admin_url}/admin/keys/nobody", json={}, headers=ADMIN)
        assert error_of(response, 404)["code"] == "key_not_found", method
    create_key(admin_url, "dave")
    again = httpx.post(f"{admin_url}/admin/keys", json={"name": "dave"}, headers=ADMIN)
    conflict = error_of(again, 409)
    assert (conflict["code"], conflict["param"]) == ("key_name_taken", "name")
    for name in ("ci", "key-1"):  # the config file's, GATEWAY_API_KEYS'
        taken = httpx.post(f"{admin_url}/admin/keys", json={"name": name}, headers=ADMIN)
        assert error_of(taken, 409)["code"] == "key_name_taken"
        change = httpx.patch(f"{admin_url}/admin/keys/{name}", json={"rpm": 1}, headers=ADMIN)
        assert error_of(change, 409)["code"] == "key_name_taken"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, AUTH, {"Authorization": f"Basic {ADMIN_TOKEN}"}],
)
def test_without_the_admin_token_it_is_401(admin_url: str, headers: dict[str, str]) -> None:
    for method in ("GET", "POST"):
        response = httpx.request(method, f"{admin_url}/admin/keys", json={}, headers=headers)
        assert error_of(response, 401)["type"] == "authentication_error"


def test_the_admin_token_is_no_client_key(admin_url: str) -> None:
    response = httpx.get(f"{admin_url}/v1/models", headers=ADMIN)
    assert error_of(response, 401)["type"] == "authentication_error"


def test_without_an_admin_token_there_is_no_admin_api(emulator_url: str) -> None:
    with serving(gateway_settings(emulator_url)) as url:
        assert httpx.get(f"{url}/admin/keys", headers=AUTH).status_code == 404
        assert httpx.get(f"{url}/openapi/admin.json").status_code == 404


def test_the_admin_token_turns_client_auth_on_with_no_key_yet(
    emulator_url: str, database: Database
) -> None:
    with serving(admin_settings(emulator_url, database, api_keys="")) as url:
        assert httpx.get(f"{url}/v1/models").status_code == 401
        assert httpx.get(f"{url}/v1/models", headers=AUTH).status_code == 401
        secret = create_key(url, "first")
        assert httpx.get(f"{url}/v1/models", headers=bearer(secret)).status_code == 200


def test_the_admin_document_is_published(admin_url: str) -> None:
    document = httpx.get(f"{admin_url}/openapi/admin.json").json()
    operations = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert operations == {"listKeys", "createKey", "getKey", "updateKey", "revokeKey", "getUsage"}
    assert document["components"]["securitySchemes"]["adminToken"]["scheme"] == "bearer"
