"""Hostile names in the ledger and its reports stay inert: keys of a config file named as
formulas, markup and control characters (the one free-text name a report groups by; a
model's name a client sent is kept too, as `model_asked`) are spent with, then read back
as CSV (each formula cell made text, per OWASP), as JSON (exactly as named), as the
command line's table (control characters escaped), in the dashboard's HTML (escaped) and in
the access log's lines (one line per request, text and JSON)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from admin_api import ADMIN, ADMIN_TOKEN, admin_settings
from commands import COMMAND, clean_env
from copilot_gateway.observability.logs import TextFormatter, json_formatter
from copilot_gateway.observability.request_id import RequestIdFilter
from databases import Database, sqlite_database
from servers import serving, until

# Each as a key's name; what a spreadsheet or a terminal would make of it, never done.
HOSTILE = (
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "<script>alert('key')</script>",
    "red\x1b[31m\nINFO:     forged line",
)
HTTP = httpx.Client(timeout=60)  # a loaded machine answers slowly
MODEL = "<img src=x onerror=alert(1)>=1+1"  # a client's made-up model, refused: still kept


def secret_of(number: int) -> str:
    return f"sk-hostile-{number}"


def config(tmp_path: Path) -> Path:
    entries = "".join(
        f"[[keys]]\nname = {json.dumps(name)}\n"
        f'sha256 = "{hashlib.sha256(secret_of(number).encode()).hexdigest()}"\n'
        for number, name in enumerate(HOSTILE)
    )
    path = tmp_path / "gateway.toml"
    path.write_text(entries)
    return path


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with sqlite_database(tmp_path) as database:
        yield database


@pytest.fixture
def logged() -> Iterator[dict[str, io.StringIO]]:
    """The access log, as text and as JSON lines, while the test runs."""
    outputs = {"text": io.StringIO(), "json": io.StringIO()}
    handlers = []
    for kind, formatter in (("text", TextFormatter()), ("json", json_formatter())):
        handler = logging.StreamHandler(outputs[kind])
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        handlers.append(handler)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield outputs
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def url(
    emulator_url: str, database: Database, tmp_path: Path, logged: dict[str, io.StringIO]
) -> Iterator[str]:
    settings = admin_settings(emulator_url, database, config_file=config(tmp_path))
    with serving(settings) as url:
        for number in range(len(HOSTILE)):
            chat = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}
            headers = {"Authorization": f"Bearer {secret_of(number)}"}
            answer = HTTP.post(f"{url}/v1/chat/completions", json=chat, headers=headers)
            assert answer.status_code == 200, answer.text
        refused = HTTP.post(
            f"{url}/v1/chat/completions",
            json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]},
            headers={"Authorization": f"Bearer {secret_of(0)}"},
        )
        assert refused.status_code in (400, 404), refused.text
        assert until(lambda: requests_counted(url) == len(HOSTILE) + 1)  # the ledger flushed
        yield url


def requests_counted(url: str) -> int:
    rows = HTTP.get(f"{url}/admin/usage", headers=ADMIN).json()["data"]
    return sum(row["requests"] for row in rows)


def test_csv_makes_every_formula_cell_text_and_json_keeps_each_name(url: str) -> None:
    answer = HTTP.get(f"{url}/admin/usage", params={"format": "csv"}, headers=ADMIN)
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
    assert sorted(row["key"] for row in rows) == sorted(
        name if name[0] not in "=+-@\t\r" else "'" + name for name in HOSTILE
    )
    assert all(re.fullmatch(r"\d+", row["requests"]) for row in rows)  # numbers left alone
    assert not any(
        cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row.values()
    )
    keys = [row["key"] for row in HTTP.get(f"{url}/admin/usage", headers=ADMIN).json()["data"]]
    assert sorted(keys) == sorted(HOSTILE)  # JSON is data: each name exactly


def test_the_command_line_s_csv_and_table_are_inert(url: str, database: Database) -> None:
    env = clean_env(
        **{f"GATEWAY_{name.upper()}": str(value) for name, value in database.settings.items()}
    )
    shown: dict[str, str] = {}
    for form in ("csv", "table"):
        done = subprocess.run(
            [*COMMAND, "usage", "--by", "key", "--format", form],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        shown[form] = done.stdout.decode()  # as written: no newline translated
    rows = list(csv.DictReader(io.StringIO(shown["csv"], newline="")))
    assert '\'=HYPERLINK("http://evil.example","x")' in [row["key"] for row in rows]
    assert "\x1b" not in shown["table"] and "\r" not in shown["table"]
    assert "red\\x1b[31m\\nINFO:     forged line" in shown["table"]
    assert len(shown["table"].splitlines()) == len(HOSTILE) + 2  # header, rows, total


def test_the_dashboard_shows_each_name_as_text(url: str) -> None:
    client = httpx.Client(base_url=url, timeout=60)
    form = client.get("/dashboard/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf
    client.post("/dashboard/login", data={"csrf": csrf.group(1), "token": ADMIN_TOKEN})
    for page in ("/dashboard", "/dashboard/keys", "/dashboard/requests"):
        text = client.get(page).text
        assert "<script>alert" not in text and "<img src=x" not in text, page
    assert "&lt;script&gt;alert(&#39;key&#39;)&lt;/script&gt;" in client.get("/dashboard/keys").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in client.get("/dashboard/requests").text


def test_each_request_is_one_access_line_in_text_and_json(
    url: str, logged: dict[str, io.StringIO]
) -> None:
    access_line = "] POST /v1/chat/completions "  # not the test client's own log lines
    text = [line for line in logged["text"].getvalue().splitlines() if access_line in line]
    assert len(text) == len(HOSTILE) + 1
    assert all(line.startswith("INFO:     [req_") for line in text)
    assert any("key=red\\x1b[31m\\nINFO:     forged line" in line for line in text)
    assert not any("\x1b" in line for line in logged["text"].getvalue().splitlines())
    lines = [json.loads(line) for line in logged["json"].getvalue().splitlines()]
    access = [line for line in lines if line["message"].startswith("POST /v1/chat/completions ")]
    assert len(access) == len(HOSTILE) + 1
    assert sorted(line["key"] for line in access[: len(HOSTILE)]) == sorted(HOSTILE)
