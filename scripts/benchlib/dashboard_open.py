"""A signed-in operator's browser with a dashboard page open on a gateway under load: it
fetches the page every time the page's own script would (`data-refresh`, 5 s for the
overview), in a thread beside the load."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from .servers import ADMIN_TOKEN

PAGE = "/dashboard"  # the overview
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
REFRESH = re.compile(r'data-refresh="(\d+)"')


def signed_in(base_url: str) -> httpx.Client:
    """A client holding a dashboard session, as the login form makes one."""
    client = httpx.Client(base_url=base_url, timeout=60, follow_redirects=False)
    form = client.get(PAGE + "/login")
    found = CSRF.search(form.text)
    if found is None:
        raise RuntimeError(f"no login form at {base_url}{PAGE}/login ({form.status_code})")
    answer = client.post(PAGE + "/login", data={"csrf": found.group(1), "token": ADMIN_TOKEN})
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"the dashboard refused the bench's login ({answer.status_code})")
    return client


@contextmanager
def page_open(base_url: str) -> Iterator[None]:
    """While inside: the overview fetched at once, then at its refresh interval."""
    client = signed_in(base_url)
    closing = threading.Event()

    def browse() -> None:
        while not closing.is_set():
            page = client.get(PAGE)
            page.raise_for_status()
            found = REFRESH.search(page.text)
            closing.wait(int(found.group(1)) if found else 5)

    browser = threading.Thread(target=browse, name="dashboard page open", daemon=True)
    browser.start()
    try:
        yield
    finally:
        closing.set()
        browser.join()
        client.close()
