"""The dashboard in a real browser (Debian's chromium, through Playwright): an operator logs
in, makes a key, sees the calls made with it and their spend appear by themselves, revokes
it and its next call is refused; what a client sent is shown as text, never run; the pages
fit a phone's width. Each page's screenshot is written into docs/screenshots (the README
shows them).

Every wait is Playwright's own: `expect(...)` retries its assertion until the page shows
it (the pages refresh themselves every few seconds), within a bound far above the need."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect

from admin_api import ADMIN_TOKEN, admin_settings
from browser import SCREENSHOTS, chromium
from conftest import AUTH
from databases import sqlite_database
from servers import serving

PRICED = "claude-sonnet-4.5"  # a few hundredths of a credit a call on the emulator
WIDE = ViewportSize(width=1280, height=860)
NARROW = ViewportSize(width=390, height=844)  # a phone's
XSS = "<script>alert('model')</script><img src=x onerror=alert('img')>"
expect.set_options(timeout=60_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def url(emulator_url: str, tmp_path: Path) -> Iterator[str]:
    with (
        sqlite_database(tmp_path) as database,
        serving(admin_settings(emulator_url, database)) as url,
    ):
        yield url


@pytest.fixture
def page(browser: Browser, url: str) -> Iterator[Page]:
    context = browser.new_context(viewport=WIDE, base_url=url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: record_dialog(dialogs, dialog))
    yield page
    context.close()
    assert dialogs == [], f"a page ran a script it was sent: {dialogs}"


def record_dialog(dialogs: list[str], dialog: Dialog) -> None:
    dialogs.append(dialog.message)
    dialog.dismiss()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def log_in(page: Page, token: str = ADMIN_TOKEN) -> None:
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/dashboard/login$"))
    page.get_by_label("Admin token").fill(token)
    page.get_by_role("button", name="Log in").click()


def test_a_key_made_in_the_dashboard_is_seen_spending_then_revoked(page: Page, url: str) -> None:
    log_in(page, "not-the-token")
    expect(page.get_by_role("alert")).to_have_text("Wrong admin token.")
    screenshot(page, "login")
    log_in(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    page.get_by_role("link", name="Keys").click()
    page.get_by_text("Create a key").click()
    form = page.locator("#create-key")
    form.get_by_label("name").fill("browser-key")
    form.get_by_label("credits/day").fill("100")
    form.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading")).to_have_text("Key browser-key created")
    secret = page.locator("#secret").inner_text()
    assert secret.startswith("sk-cg-")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    screenshot(page, "key-created")

    client = openai.OpenAI(base_url=f"{url}/v1", api_key=secret, max_retries=0)
    for turn in range(3):
        client.chat.completions.create(
            model=PRICED, messages=[{"role": "user", "content": f"Spend a little ({turn})"}]
        )

    page.goto("/dashboard/requests?key=browser-key")
    rows = page.locator("table.requests tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first.locator(".model")).to_have_text(PRICED)
    screenshot(page, "requests")
    rows.first.get_by_role("link").click()
    expect(page.locator('[data-field="key_name"]')).to_have_text("browser-key")
    expect(page.locator('[data-field="client"]')).to_have_text("openai-python")
    screenshot(page, "request")

    page.goto("/dashboard/keys")
    key = page.locator('section[data-key="browser-key"]')
    expect(key.locator(".requests-today")).to_have_text("3 requests today")
    # Spent: more than nothing, against the budget of 100 a day.
    expect(key.locator(".spent").first).to_have_text(re.compile(r"^(?!0\.00$)[\d.,]+$"))
    expect(key.locator(".budget")).to_have_text("100.00")
    screenshot(page, "keys")

    page.goto("/dashboard")
    expect(page.locator("#today-requests")).to_have_text("3")
    expect(page.locator("#tops")).to_contain_text("browser-key")
    screenshot(page, "overview")
    page.get_by_role("link", name="Accounts").click()
    expect(page.locator(".account .state").first).to_have_text("serving")
    screenshot(page, "accounts")
    page.get_by_role("link", name="Models").click()
    expect(page.locator("table.models")).to_contain_text(PRICED)
    screenshot(page, "models")

    page.goto("/dashboard/keys")
    key.get_by_role("button", name="Revoke").click()
    expect(key).to_have_class(re.compile(r"\brevoked\b"))
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model=PRICED, messages=[{"role": "user", "content": "hi"}])


def test_the_overview_refreshes_itself_as_calls_are_made(page: Page, url: str) -> None:
    log_in(page)
    expect(page.locator("#last-hour-requests")).to_have_text("0")
    response = httpx.post(
        f"{url}/v1/chat/completions",
        json={"model": PRICED, "messages": [{"role": "user", "content": "hi"}]},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    expect(page.locator("#last-hour-requests")).to_have_text("1")  # no reload: its own poll
    expect(page.locator("#p50")).to_have_text(re.compile(r"^\d[\d,]* ms$"))


def test_what_a_client_sent_is_shown_as_text_never_run(page: Page, url: str) -> None:
    sent = httpx.post(
        f"{url}/v1/chat/completions",
        json={"model": XSS, "messages": [{"role": "user", "content": "hi"}]},
        headers={**AUTH, "User-Agent": "<script>alert('agent')</script>"},
    )
    assert sent.status_code in (400, 404), sent.text
    log_in(page)
    page.goto("/dashboard/requests")
    row = page.locator("table.requests tbody tr").first
    expect(row.locator(".model")).to_have_text(XSS)
    expect(row).to_contain_text("other")  # the agent's family: the header itself is never kept
    row.get_by_role("link").click()
    expect(page.locator('[data-field="model_asked"]')).to_have_text(XSS)
    assert page.locator("img[src=x]").count() == 0  # the page fixture: no dialog fired


def test_every_page_fits_a_phone_s_width(page: Page) -> None:
    page.set_viewport_size(NARROW)
    log_in(page)
    for path in ("", "/accounts", "/keys", "/models", "/requests"):
        page.goto(f"/dashboard{path}")
        expect(page.locator("main h1")).to_be_visible()
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    page.goto("/dashboard")
    screenshot(page, "overview-narrow")
