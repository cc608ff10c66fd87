"""The dashboard over plain HTTP: its login (the session cookie's flags, never the token
itself), CSRF refused, wrong logins limited, every page answering, a 404 page without an
admin token; and its own requests kept out of the ledger."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from admin_api import ADMIN, ADMIN_TOKEN, admin_settings
from conftest import AUTH
from databases import KINDS, Database, database_of, sqlite_database
from servers import gateway_settings, serving, until

PAGES = ("", "/accounts", "/keys", "/models", "/requests")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with sqlite_database(tmp_path) as database:
        yield database


@pytest.fixture(params=KINDS)
def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


@pytest.fixture
def url(emulator_url: str, database: Database) -> Iterator[str]:
    with serving(admin_settings(emulator_url, database)) as url:
        yield url


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def logged_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url)
    form = client.get("/dashboard/login")
    answer = client.post("/dashboard/login", data={"csrf": csrf_of(form), "token": ADMIN_TOKEN})
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard", answer.text
    return client


def test_a_login_sets_a_strict_http_only_session_cookie_that_is_not_the_token(url: str) -> None:
    client = httpx.Client(base_url=url)
    form = client.get("/dashboard/login")
    answer = client.post("/dashboard/login", data={"csrf": csrf_of(form), "token": ADMIN_TOKEN})
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and "cg_dashboard=" in v
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain http here
    assert ADMIN_TOKEN not in cookie
    assert "Content-Security-Policy" in client.get("/dashboard").headers


def test_every_page_answers_once_logged_in_and_none_before(
    emulator_url: str, any_database: Database
) -> None:
    with serving(admin_settings(emulator_url, any_database)) as url:
        every_page_answers(url)


def every_page_answers(url: str) -> None:
    chat = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}
    assert httpx.post(f"{url}/v1/chat/completions", json=chat, headers=AUTH).status_code == 200
    anonymous = httpx.Client(base_url=url)
    client = logged_in(url)
    for page in PAGES:
        assert anonymous.get(f"/dashboard{page}").headers["location"] == "/dashboard/login"
        answer = client.get(f"/dashboard{page}")
        assert answer.status_code == 200, (page, answer.text)
        assert answer.headers["content-type"].startswith("text/html")
    assert until(lambda: "gpt-4.1" in client.get("/dashboard/requests?model=gpt-4.1").text)
    row = re.search(r'href="/dashboard/requests/(\d+)"', client.get("/dashboard/requests").text)
    assert row and client.get(f"/dashboard/requests/{row.group(1)}").status_code == 200
    assert "key-1" in client.get("/dashboard").text  # today's top keys
    assert client.get("/dashboard/requests", params={"status": "x"}).status_code == 400
    assert client.get("/dashboard/requests/999999").status_code == 404
    assert client.get("/dashboard/static/dashboard.js").status_code == 200
    assert client.get("/dashboard/static/../routes.py").status_code == 404


def test_a_form_without_its_csrf_token_is_refused(url: str) -> None:
    client = logged_in(url)
    refused = client.post("/dashboard/keys", data={"name": "sneaky"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    wrong = client.post("/dashboard/keys", data={"name": "sneaky", "csrf": "0" * 64})
    assert wrong.status_code == 403
    assert "sneaky" not in client.get("/dashboard/keys").text
    login = httpx.post(f"{url}/dashboard/login", data={"token": ADMIN_TOKEN})
    assert login.status_code == 403  # the login form has its own


def test_wrong_logins_are_refused_then_limited_with_retry_after(url: str) -> None:
    client = httpx.Client(base_url=url)
    csrf = csrf_of(client.get("/dashboard/login"))
    answers = [
        client.post("/dashboard/login", data={"csrf": csrf, "token": "wrong"}) for _ in range(6)
    ]
    assert [answer.status_code for answer in answers] == [401] * 5 + [429]
    assert "Wrong admin token" in answers[0].text
    assert int(answers[-1].headers["retry-after"]) >= 1
    # Limited, the right token waits too: guessing gains nothing by ending on it.
    right = client.post("/dashboard/login", data={"csrf": csrf, "token": ADMIN_TOKEN})
    assert right.status_code == 429


def test_logout_ends_the_session(url: str) -> None:
    client = logged_in(url)
    cookie = client.cookies["cg_dashboard"]
    csrf = csrf_of(client.get("/dashboard"))
    assert client.post("/dashboard/logout", data={"csrf": csrf}).status_code == 303
    again = httpx.get(f"{url}/dashboard", cookies={"cg_dashboard": cookie})
    assert again.status_code == 303 and again.headers["location"] == "/dashboard/login"


def test_a_key_made_on_the_keys_page_shows_its_secret_once(url: str) -> None:
    client = logged_in(url)
    csrf = csrf_of(client.get("/dashboard/keys"))
    made = client.post("/dashboard/keys", data={"csrf": csrf, "name": "page-key", "rpm": "7"})
    assert made.status_code == 201
    secret = re.search(r'<code id="secret">(sk-cg-[^<]+)</code>', made.text)
    assert secret
    keys = client.get("/dashboard/keys").text
    assert "page-key" in keys and "rpm 7" in keys and secret.group(1) not in keys
    taken = client.post("/dashboard/keys", data={"csrf": csrf, "name": "page-key"})
    assert taken.status_code == 409 and "exists already" in taken.text
    bad = client.post("/dashboard/keys", data={"csrf": csrf, "name": "other", "rpm": "lots"})
    assert bad.status_code == 400 and "rpm" in bad.text


def test_a_key_is_changed_and_revoked_from_its_forms(url: str) -> None:
    client = logged_in(url)
    csrf = csrf_of(client.get("/dashboard/keys"))
    client.post("/dashboard/keys", data={"csrf": csrf, "name": "edited", "rpm": "7"})
    changed = client.post(
        "/dashboard/keys/edited", data={"csrf": csrf, "rpm": "", "tpm": "900", "allow": "gpt-*"}
    )
    assert changed.status_code == 303, changed.text
    key = httpx.get(f"{url}/admin/keys/edited", headers=ADMIN).json()
    assert (key["rpm"], key["tpm"], key["allow"]) == (None, 900, ["gpt-*"])
    assert client.post("/dashboard/keys/edited/revoke", data={"csrf": csrf}).status_code == 303
    assert httpx.get(f"{url}/admin/keys/edited", headers=ADMIN).json()["revoked_at"]
    again = client.post("/dashboard/keys/edited", data={"csrf": csrf, "rpm": "1"})
    assert again.status_code == 404


def test_the_dashboard_is_a_404_page_without_an_admin_token(emulator_url: str) -> None:
    with serving(gateway_settings(emulator_url)) as url:
        for path in ("/dashboard", "/dashboard/login", "/dashboard/keys"):
            answer = httpx.get(f"{url}{path}")
            assert answer.status_code == 404 and "GATEWAY_ADMIN_TOKEN" in answer.text
