"""Guessing the admin token: wrong tokens of every length refused and the right one taken,
at the dashboard's login and the admin API alike; wrong ones counted per address and in
all, the two doors sharing one count, and in Redis shared by every replica.

Each client sends from an address of its own in 127.0.0.0/8 (Linux routes the whole block
to loopback), so one test can be many peers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from admin_api import ADMIN, ADMIN_TOKEN, admin_settings
from copilot_gateway.access.wrong_tokens import IN_ALL_PER_PEER
from databases import Database, sqlite_database
from redis_server import RedisServer, running_redis
from servers import serving

PER_PEER = 5  # GATEWAY_ADMIN_WRONG_TOKENS_PER_MINUTE's default
IN_ALL = PER_PEER * IN_ALL_PER_PEER
# Wrong tokens of every length, and each near miss of the right one.
WRONG = (
    "",
    "a",
    ADMIN_TOKEN[:-1],
    ADMIN_TOKEN[1:],
    ADMIN_TOKEN + "x",
    ADMIN_TOKEN.upper(),
    ADMIN_TOKEN[:-1] + "\u00e9",
    "\u00a0" + ADMIN_TOKEN,
    " " + ADMIN_TOKEN + "\x00",
    "x" * 10_000,
)
# A header's value holds no NUL and no blank at its ends: those go to the login form only.
SENDABLE = tuple(wrong for wrong in WRONG if "\x00" not in wrong and wrong == wrong.strip(" "))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with sqlite_database(tmp_path) as database:
        yield database


@pytest.fixture
def url(emulator_url: str, database: Database) -> Iterator[str]:
    with serving(admin_settings(emulator_url, database)) as url:
        yield url


def peer(url: str, number: int) -> httpx.Client:
    """A client sending from 127.0.0.<number> (or 127.0.<n // 250>.<n % 250> past it)."""
    address = f"127.0.{number // 250}.{number % 250 + 2}"
    return httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=address))


def login_csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/dashboard/login").text)
    assert found
    return found.group(1)


def log_in(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/dashboard/login", data={"csrf": login_csrf(client), "token": token})


def test_wrong_tokens_of_every_length_are_refused_and_the_right_one_is_taken(url: str) -> None:
    for number, wrong in enumerate(WRONG):
        with peer(url, number) as client:
            assert log_in(client, wrong).status_code == 401, repr(wrong)
    for number, wrong in enumerate(SENDABLE, start=len(WRONG)):
        with peer(url, number) as client:
            bearer = {b"Authorization": f"Bearer {wrong}".strip().encode()}  # read as latin-1
            answer = client.get("/admin/keys", headers=bearer)
            assert answer.status_code == 401, repr(wrong)
            assert answer.json()["error"]["code"] == "invalid_api_key"
    with peer(url, len(WRONG) + len(SENDABLE)) as client:
        assert log_in(client, ADMIN_TOKEN).status_code == 303
        assert client.get("/dashboard").status_code == 200
        assert client.get("/admin/keys", headers=ADMIN).status_code == 200


def test_wrong_tokens_at_either_door_count_together_then_both_refuse(url: str) -> None:
    with peer(url, 0) as client:
        for _ in range(PER_PEER - 1):
            assert (
                client.get("/admin/keys", headers={"Authorization": "Bearer no"}).status_code == 401
            )
        assert log_in(client, "no").status_code == 401
        limited = client.get("/admin/keys", headers=ADMIN)  # the right token waits too
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limit_exceeded"
        assert limited.headers["cache-control"] == "no-store"
        assert log_in(client, ADMIN_TOKEN).status_code == 429
    with peer(url, 1) as other:  # another address has its own count
        assert log_in(other, ADMIN_TOKEN).status_code == 303


def test_a_guesser_spread_over_many_addresses_is_held_to_the_count_in_all(url: str) -> None:
    spread = -(-IN_ALL // (PER_PEER - 1))  # each address stays under its own limit
    sent = 0
    for number in range(spread):
        with peer(url, number) as client:
            for _ in range(min(PER_PEER - 1, IN_ALL - sent)):
                assert log_in(client, "guess").status_code == 401
                sent += 1
    assert sent == IN_ALL
    with peer(url, spread) as fresh:
        assert log_in(fresh, ADMIN_TOKEN).status_code == 429
        assert fresh.get("/admin/keys", headers=ADMIN).status_code == 429


def test_two_replicas_on_one_redis_share_the_count(
    emulator_url: str, database: Database, tmp_path: Path
) -> None:
    (tmp_path / "redis").mkdir()
    server: RedisServer
    with running_redis(tmp_path / "redis") as server:
        settings = admin_settings(emulator_url, database, redis_url=server.url)
        with serving(settings) as first, serving(settings) as second:
            with peer(first, 0) as client:
                for _ in range(PER_PEER):
                    assert log_in(client, "wrong").status_code == 401
            with peer(second, 0) as client:
                assert log_in(client, ADMIN_TOKEN).status_code == 429
                assert client.get("/admin/keys", headers=ADMIN).status_code == 429
            with peer(second, 1) as client:
                assert log_in(client, ADMIN_TOKEN).status_code == 303
