"""A WebSocket's key is checked at each turn, not only at the handshake: a runtime key
revoked while its connection is open gets no further turn (its 401 as an error event, then
the close), on SQLite as on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.sync.client import connect
from websockets.sync.connection import Connection

from admin_api import ADMIN, admin_settings, bearer, create_key
from databases import KINDS, Database, database_of
from servers import serving

CREATE = json.dumps({"type": "response.create", "model": "gpt-4o", "input": "Hi", "store": False})


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_of(request.param, request, tmp_path) as database:
        yield database


def turn_events(socket: Connection) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] not in ("response.completed", "error"):
        events.append(json.loads(socket.recv()))
    return events


def test_a_key_revoked_while_its_websocket_is_open_gets_no_further_turn(
    emulator_url: str, database: Database
) -> None:
    with serving(admin_settings(emulator_url, database)) as url:
        secret = create_key(url, "dave")
        ws_url = url.replace("http://", "ws://") + "/v1/responses"
        with connect(ws_url, additional_headers=bearer(secret)) as socket:
            socket.send(CREATE)
            assert turn_events(socket)[-1]["type"] == "response.completed"
            assert httpx.delete(f"{url}/admin/keys/dave", headers=ADMIN).status_code == 200
            socket.send(CREATE)
            (refused,) = turn_events(socket)
            with pytest.raises(websockets.ConnectionClosedError) as closed:
                socket.recv()
    assert refused["status"] == 401
    assert refused["error"] == {
        "type": "authentication_error",
        "code": "invalid_api_key",
        "message": "Missing or invalid API key: send 'Authorization: Bearer <key>'.",
        "param": None,
    }
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "invalid api key")
