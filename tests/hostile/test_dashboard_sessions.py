"""Session fixation impossible and logout final: a session cookie (or login cookie) set
before a login is never the session after it, and a logout ends the session on every
replica (it is written to the shared database), not only in the browser that sent it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from admin_api import ADMIN_TOKEN, admin_settings
from databases import KINDS, Database, database_of
from servers import serving

PLANTED_SESSION = "planted.9999999999.0000"
PLANTED_LOGIN = "planted-login-binding"


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def set_cookies(answer: httpx.Response) -> dict[str, str]:
    found = (
        re.match(r"([^=]+)=([^;]*)", value)
        for name, value in answer.headers.multi_items()
        if name == "set-cookie"
    )
    return {match.group(1): match.group(2) for match in found if match}


def test_a_session_set_before_the_login_is_never_the_one_after(
    emulator_url: str, database: Database
) -> None:
    with serving(admin_settings(emulator_url, database)) as url:
        client = httpx.Client(base_url=url)
        client.cookies.set("cg_dashboard", PLANTED_SESSION, path="/dashboard")
        assert client.get("/dashboard").headers["location"] == "/dashboard/login"
        client.cookies.set("cg_dashboard_login", PLANTED_LOGIN, path="/dashboard")
        form = client.get("/dashboard/login")
        answer = client.post("/dashboard/login", data={"csrf": csrf_of(form), "token": ADMIN_TOKEN})
        assert answer.status_code == 303
        session = set_cookies(answer)["cg_dashboard"]
        assert session not in (PLANTED_SESSION, PLANTED_LOGIN)
        assert PLANTED_LOGIN not in session and ADMIN_TOKEN not in session
        # Two logins, two sessions: none is ever handed out twice.
        again = httpx.Client(base_url=url)
        form = again.get("/dashboard/login")
        second = again.post("/dashboard/login", data={"csrf": csrf_of(form), "token": ADMIN_TOKEN})
        assert set_cookies(second)["cg_dashboard"].split(".")[0] != session.split(".")[0]


def test_a_logout_ends_the_session_on_every_replica(emulator_url: str, database: Database) -> None:
    settings = admin_settings(emulator_url, database)
    with serving(settings) as first, serving(settings) as second:
        browser = httpx.Client(base_url=first)
        form = browser.get("/dashboard/login")
        browser.post("/dashboard/login", data={"csrf": csrf_of(form), "token": ADMIN_TOKEN})
        stolen = {"cg_dashboard": browser.cookies["cg_dashboard"]}
        assert httpx.get(f"{second}/dashboard", cookies=stolen).status_code == 200
        csrf = csrf_of(browser.get("/dashboard"))
        assert browser.post("/dashboard/logout", data={"csrf": csrf}).status_code == 303
        for url in (first, second):
            page = httpx.get(f"{url}/dashboard", cookies=stolen)
            assert page.status_code == 303 and page.headers["location"] == "/dashboard/login"
            form_post = httpx.post(
                f"{url}/dashboard/keys", data={"csrf": csrf, "name": "after-logout"}, cookies=stolen
            )
            assert form_post.status_code == 303  # to the login form: nothing made
        # The ended session logging out again (another tab) is sent to the login form.
        assert (
            httpx.post(
                f"{second}/dashboard/logout", data={"csrf": csrf}, cookies=stolen
            ).status_code
            == 303
        )
