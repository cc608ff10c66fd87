"""Nothing cacheable holds a secret, and every dashboard answer carries its guards: each
page, redirect, refusal and error of the dashboard is `no-store` with a CSP that frames
nothing and runs only the dashboard's own script, `nosniff` and no referrer; no page holds
an inline script or handler; every answer of the admin API (a new key's secret is in one,
refusals included) is `no-store`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from admin_api import ADMIN, ADMIN_TOKEN, admin_settings
from databases import Database, sqlite_database
from servers import serving

PAGES = ("", "/accounts", "/keys", "/models", "/requests", "/requests/1", "/requests/x")
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


@pytest.fixture
def url(emulator_url: str, tmp_path: Path) -> Iterator[str]:
    database: Database
    with (
        sqlite_database(tmp_path) as database,
        serving(admin_settings(emulator_url, database)) as url,
    ):
        yield url


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def guarded(answer: httpx.Response) -> None:
    """The dashboard's headers on one answer, and no script of its own in its HTML."""
    where = f"{answer.request.method} {answer.request.url.path} -> {answer.status_code}"
    headers = answer.headers
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, where
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("cache-control") == "no-store", where
    assert not INLINE.search(answer.text), where


def test_every_dashboard_answer_is_guarded_and_never_stored(url: str) -> None:
    anonymous = httpx.Client(base_url=url)
    for path in ("/login", *PAGES, "/nowhere", "/static/nothing.js"):
        guarded(anonymous.get(f"/dashboard{path}"))  # the login form, or a redirect to it
    login = anonymous.get("/dashboard/login")
    guarded(anonymous.post("/dashboard/login", data={"token": ADMIN_TOKEN}))  # 403: no CSRF
    guarded(anonymous.post("/dashboard/login", data={"csrf": csrf_of(login), "token": "no"}))
    signed_in = anonymous.post(
        "/dashboard/login", data={"csrf": csrf_of(login), "token": ADMIN_TOKEN}
    )
    assert signed_in.status_code == 303
    guarded(signed_in)
    for path in (*PAGES, "/nowhere", "/logout"):
        guarded(anonymous.get(f"/dashboard{path}"))
    csrf = csrf_of(anonymous.get("/dashboard/keys"))
    made = anonymous.post("/dashboard/keys", data={"csrf": csrf, "name": "shown-once"})
    assert made.status_code == 201 and "sk-cg-" in made.text
    guarded(made)  # the page holding the secret
    guarded(anonymous.post("/dashboard/keys", data={"name": "no-csrf"}))
    guarded(anonymous.post("/dashboard/keys/shown-once/revoke", data={"csrf": csrf}))
    guarded(anonymous.post("/dashboard/logout", data={"csrf": csrf}))


def test_every_admin_api_answer_is_never_stored(url: str) -> None:
    admin = httpx.Client(base_url=f"{url}/admin", headers=ADMIN)
    answers = [
        admin.post("/keys", json={"name": "stored-nowhere"}),  # its secret
        admin.get("/keys"),
        admin.get("/keys/stored-nowhere"),
        admin.patch("/keys/stored-nowhere", json={"rpm": 5}),
        admin.delete("/keys/stored-nowhere"),
        admin.get("/keys/no-such-key"),
        admin.post("/keys", json={"name": "?"}),
        admin.get("/usage"),
        admin.get("/usage", params={"format": "csv"}),
        admin.get("/usage", params={"from": "yesterday"}),
        admin.get("/nowhere"),
        httpx.get(f"{url}/admin/keys"),  # no token
    ]
    assert "secret" in answers[0].json()
    assert {answer.status_code for answer in answers} == {200, 201, 400, 401, 404}
    for answer in answers:
        assert answer.headers.get("cache-control") == "no-store", answer.request.url
