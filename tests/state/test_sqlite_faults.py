"""The SQLite files in trouble: locked by another process, their disk full. Requests are
served meanwhile: ledger rows buffered, stored chat completions and responses held in the
process; one WARNING line naming the file and what is wrong, and
`gateway_state_database_errors_total` counting the failed writes by reason; once the lock
goes (or space is freed) everything is written, nothing lost."""

from __future__ import annotations

import errno
import itertools
import logging
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from metrics_scrape import Samples, scrape, value
from servers import gateway_settings, serving, until

KEY = "sk-test-key"
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
STORED_CHAT = {**CHAT, "store": True}
RESPONSE = {"model": "gpt-4o", "input": "hi"}  # `store` is true by default
BUFFERED = "gateway_ledger_rows_buffered"
DROPPED = "gateway_ledger_rows_dropped_total"
ERRORS = "gateway_state_database_errors_total"
ids = itertools.count()

# Holds an exclusive write lock on each file named until a line arrives on its stdin.
LOCKER = """
import sqlite3, sys
held = [sqlite3.connect(path, isolation_level=None) for path in sys.argv[1:]]
for connection in held:
    connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
for connection in held:
    connection.execute("ROLLBACK")
"""


def post(url: str, path: str, body: dict[str, Any], prefix: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {KEY}", "X-Request-Id": f"{prefix}-{next(ids)}"}
    return httpx.post(f"{url}{path}", json=body, headers=headers, timeout=60)


def get(url: str, path: str) -> httpx.Response:
    return httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {KEY}"}, timeout=60)


def rows_of(ledger: Path, prefix: str) -> int:
    with sqlite3.connect(ledger) as connection:
        query = "SELECT count(*) FROM ledger WHERE request_id LIKE ?"
        return int(connection.execute(query, (f"{prefix}-%",)).fetchone()[0])


def warnings_saying(caplog: pytest.LogCaptureFixture, *words: str) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.levelno == logging.WARNING and all(w in record.getMessage() for w in words)
    ]


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert "Traceback" not in record.getMessage()
        assert KEY not in record.getMessage()


def assert_all_written(
    url: str,
    before: Samples,
    ledger: Path,
    responses: Path,
    prefix: str,
    rows: int,
    completions: int = 1,
) -> None:
    """Every ledger row asked for and both stored objects in their files, nothing left held
    or buffered, no row dropped."""
    assert until(lambda: rows_of(ledger, prefix) == rows)
    assert until(lambda: value(scrape(url), "gateway_completions_held") == 0)
    assert until(lambda: value(scrape(url), "gateway_responses_held") == 0)
    after = scrape(url)
    assert value(after, BUFFERED) == 0
    assert value(after, DROPPED) == value(before, DROPPED)
    with sqlite3.connect(ledger) as connection:
        stored = connection.execute("SELECT count(*) FROM chat_completions").fetchone()[0]
        assert stored == completions
    with sqlite3.connect(responses) as connection:
        assert connection.execute("SELECT count(*) FROM responses").fetchone()[0] == 1


@contextmanager
def locked(*files: Path) -> Iterator[None]:
    """Another process holding each file's write lock (`BEGIN EXCLUSIVE`) until the block ends."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, *map(str, files)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdin is not None and locker.stdout is not None
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.stdin.write("release\n")
        locker.stdin.close()
        assert locker.wait(timeout=60) == 0


def stored_both_ways(url: str, prefix: str) -> tuple[httpx.Response, httpx.Response]:
    """A stored chat completion and a stored response, asked at once."""
    with ThreadPoolExecutor(2) as pool:
        completion = pool.submit(post, url, "/v1/chat/completions", STORED_CHAT, prefix)
        response = pool.submit(post, url, "/v1/responses", RESPONSE, prefix)
        return completion.result(), response.result()


def test_a_sqlite_file_locked_by_another_process_serves_on_and_writes_everything_after(
    emulator_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ledger, responses = tmp_path / "ledger.sqlite3", tmp_path / "responses.sqlite3"
    settings = gateway_settings(
        emulator_url, ledger_db=ledger, responses_db=responses, ledger_flush_seconds=0.05
    )
    with caplog.at_level(logging.INFO), serving(settings) as url:
        assert post(url, "/v1/chat/completions", CHAT, "locked").status_code == 200
        assert until(lambda: rows_of(ledger, "locked") == 1)
        before = scrape(url)
        with locked(ledger, responses):
            # Writers wait SQLite's busy timeout (10 s), then hold what they had: the
            # stored ones are answered once held, the chats at once meanwhile.
            with ThreadPoolExecutor(1) as pool:
                stored = pool.submit(stored_both_ways, url, "locked")
                chats = [post(url, "/v1/chat/completions", CHAT, "locked") for _ in range(5)]
                completion, response = stored.result()
            assert [chat.status_code for chat in chats] == [200] * 5
            assert completion.status_code == 200, completion.text
            assert response.status_code == 200, response.text
            assert until(lambda: warnings_saying(caplog, "ledger:", str(ledger), "locked"))
            samples = scrape(url)
            assert value(samples, BUFFERED) >= 5
            assert value(samples, "gateway_completions_held") == 1
            assert value(samples, "gateway_responses_held") == 1
            for store in ("ledger", "completions", "responses"):
                reason = {"store": store, "reason": "locked"}
                assert value(samples, ERRORS, **reason) > value(before, ERRORS, **reason)
            # Held, so read from the process.
            assert get(url, f"/v1/chat/completions/{completion.json()['id']}").status_code == 200
            assert get(url, f"/v1/responses/{response.json()['id']}").status_code == 200
            # Another, while the first is held: held at once, with it.
            again = post(url, "/v1/chat/completions", STORED_CHAT, "locked")
            assert again.status_code == 200, again.text
            assert value(scrape(url), "gateway_completions_held") == 2
        # One line each: the ledger's and each store's, naming the file.
        assert len(warnings_saying(caplog, "ledger:", "locked")) == 1
        assert len(warnings_saying(caplog, "stored chat completions", str(ledger), "locked")) == 1
        assert len(warnings_saying(caplog, "stored responses", str(responses), "locked")) == 1
        # The lock gone: every row and every held object written, none dropped.
        assert_all_written(url, before, ledger, responses, "locked", rows=1 + 5 + 3, completions=2)
    assert_no_traceback(caplog)


@contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on where (the tests run as root), unmounted after."""
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def fill(directory: Path) -> Path:
    """A file taking every byte left on the directory's disk."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    out.write(b"\0" * chunk)
            except OSError as full:
                assert full.errno == errno.ENOSPC
    return filler


def test_a_full_disk_under_the_sqlite_files_serves_on_and_writes_everything_once_freed(
    emulator_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with small_tmpfs(tmp_path / "data", "4m") as data:
        ledger, responses = data / "ledger.sqlite3", data / "responses.sqlite3"
        settings = gateway_settings(
            emulator_url, ledger_db=ledger, responses_db=responses, ledger_flush_seconds=0.05
        )
        with caplog.at_level(logging.INFO), serving(settings) as url:
            assert post(url, "/v1/chat/completions", CHAT, "full").status_code == 200
            assert until(lambda: rows_of(ledger, "full") == 1)
            before = scrape(url)
            filler = fill(data)
            asked = 1

            def served_until_the_ledger_says_full() -> bool:
                nonlocal asked
                assert post(url, "/v1/chat/completions", CHAT, "full").status_code == 200
                asked += 1
                return bool(warnings_saying(caplog, "ledger:", str(ledger), "disk full"))

            # SQLite's write-ahead log may have room for a few rows: asked on until it is out.
            assert until(served_until_the_ledger_says_full)
            completion, response = stored_both_ways(url, "full")
            asked += 2
            assert completion.status_code == 200, completion.text
            assert response.status_code == 200, response.text
            assert get(url, f"/v1/chat/completions/{completion.json()['id']}").status_code == 200
            assert get(url, f"/v1/responses/{response.json()['id']}").status_code == 200
            samples = scrape(url)
            assert value(samples, BUFFERED) >= 1
            assert value(samples, "gateway_completions_held") == 1
            reason = {"store": "ledger", "reason": "disk_full"}
            assert value(samples, ERRORS, **reason) > value(before, ERRORS, **reason)
            assert len(warnings_saying(caplog, "ledger:", "disk full")) == 1
            filler.unlink()  # space again: what waited is written
            assert_all_written(url, before, ledger, responses, "full", rows=asked)
        assert_no_traceback(caplog)
