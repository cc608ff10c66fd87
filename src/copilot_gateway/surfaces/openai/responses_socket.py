"""Responses over a WebSocket (OpenAI's WebSocket mode): one connection, many turns.

The client sends `response.create` messages (a createResponse body, less the transport's
`stream` and `background`); each is served as a streamed createResponse, its events the
SSE stream's own, in the same order, each checked against the spec and sent as one text
frame (see `responses.handlers.streamed`). What the connection adds:

- the last response it served is kept in memory, so `previous_response_id` continues it
  even with `store: false`; an id neither that nor stored is `previous_response_not_found`;
- one response at a time: a `response.create` while one runs is an error event;
- limits: messages per minute (an error event past it), idle time and the connection's
  whole life (closed after them; at the end of its life with OpenAI's
  `websocket_connection_limit_reached` error first). Frames past the size limit are closed
  with 1009 by the server (see `app.uvicorn_options`); a binary frame with 1003 (the mode
  speaks JSON text only).

Errors are error events in WebSocket mode's shape, `{"type": "error", "status", "error":
{type, code, message, param}}`; the connection stays open after them, but for a key no
longer valid (revoked while the connection was open): its 401, then the close, 1008.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from starlette.websockets import WebSocket, WebSocketState

from ... import usage
from ...call import Call
from ...errors import (
    AuthenticationFailed,
    GatewayError,
    InternalError,
    InvalidRequest,
    NotFound,
    RateLimited,
)
from ...settings import Settings
from ...spec.answers import schemas_of
from ...spec.requests import first_error, parse_json
from ...upstreams.base import Json
from ..streams import guarded
from .operations import DOCUMENT
from .responses.compact import asks_compaction, compaction_events
from .responses.events import ResponseEvents
from .responses.handlers import Turn, earlier_context, opened_turn, streamed
from .responses.objects import finished, response_object
from .surface import error_type

log = logging.getLogger(__name__)

# What the transport decides, not the body: every turn streams; background runs are refused;
# `generate: false` is a warm-up the connection answers itself (see `warm_up`).
TRANSPORT_FIELDS = ("type", "stream", "generate")
MINUTE = 60.0
# RFC 6455's close codes: data of a type the endpoint does not accept; a peer no longer allowed.
UNSUPPORTED_DATA = 1003
POLICY_VIOLATION = 1008
SERVICE_RESTART = 1012
NO_USAGE = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


def error_message(error: GatewayError, sequence: int | None = None) -> Json:
    """An error event as WebSocket mode sends it (nested, with the HTTP status it stands for)."""
    body: Json = {
        "type": "error",
        "status": error.status,
        "error": {
            "type": error_type(error),
            "code": error.code,
            "message": error.message,
            "param": error.param,
        },
    }
    if sequence is not None:
        body["sequence_number"] = sequence
    return body


class SocketEvents(ResponseEvents):
    """A turn's events as text frames: each event's JSON, errors in WebSocket mode's shape."""

    def frame(self, body: Json, name: str) -> bytes:
        return orjson.dumps(body)

    def error_event(self, error: GatewayError) -> bytes:
        body = error_message(error, self.sequence)
        self.sequence += 1
        return orjson.dumps(body)


@dataclass(frozen=True)
class Remembered:
    """The connection's last response: its id, and the context a continuation starts from."""

    response_id: str
    context: list[Json]


class TurnCalls(Protocol):
    """What the edge does for each turn, as for every HTTP request: its call made (its
    record, its caller), admitted by its key's limits (or refused), and once it is done
    settled, logged and counted."""

    def new_call(self) -> Call: ...

    async def admit(self, call: Call) -> None: ...

    async def finished(self, call: Call) -> None: ...


class ResponsesSocket:
    """One accepted connection, served until the client leaves or a limit closes it."""

    def __init__(self, websocket: WebSocket, settings: Settings, calls: TurnCalls) -> None:
        self.websocket = websocket
        self.settings = settings
        self.calls = calls
        self.last: Remembered | None = None
        self.running: asyncio.Task[None] | None = None
        self.running_call: Call | None = None
        self.received: deque[float] = deque()  # when the last minute's messages came
        self.draining = asyncio.Event()  # the server is shutting down (see `drain`)

    def drain(self) -> None:
        """The server is shutting down: the connection is closed once its running turn is
        over (at once if none runs), where a close now would cut the turn midway."""
        self.draining.set()

    async def serve(self) -> None:
        await self.websocket.accept()
        receiving: asyncio.Future[object] | None = None
        try:
            async with asyncio.timeout(self.settings.websocket_connection_seconds):
                receiving = await self.read()
        except TimeoutError:
            await self.stop_running()
            minutes = round(self.settings.websocket_connection_seconds / MINUTE)
            limit = InvalidRequest(
                f"Responses websocket connection limit reached ({minutes} minutes).",
                code="websocket_connection_limit_reached",
            )
            await self.send(error_message(limit))
            await self.close(1000, "connection limit reached")
        finally:
            if receiving is not None:
                receiving.cancel()
            await self.stop_running()

    async def read(self) -> asyncio.Future[object] | None:
        """Take messages until the client leaves, the connection has been idle too long, or
        the server shuts down."""
        receiving: asyncio.Future[object] = asyncio.ensure_future(self.websocket.receive())
        draining = asyncio.ensure_future(self.draining.wait())
        try:
            return await self.take_until_closed(receiving, draining)
        finally:
            draining.cancel()

    async def take_until_closed(
        self, receiving: asyncio.Future[object], draining: asyncio.Future[Any]
    ) -> asyncio.Future[object] | None:
        while True:
            waiting: set[asyncio.Future[Any]] = {receiving}
            if not draining.done():
                waiting.add(draining)
            if self.running is not None:
                waiting.add(self.running)
            idle = None if self.running is not None else self.settings.websocket_idle_seconds
            done, _ = await asyncio.wait(waiting, timeout=idle, return_when="FIRST_COMPLETED")
            if not done:
                await self.close(1000, "idle timeout")
                return receiving
            if self.running is not None and self.running.done():
                self.running = None
            if self.draining.is_set() and self.running is None:
                # A message that came meanwhile is not served: the client sends it again.
                await self.close(SERVICE_RESTART, "the server is restarting")
                return receiving
            if receiving not in done:
                continue
            message = receiving.result()
            assert isinstance(message, dict)
            if message["type"] == "websocket.disconnect":
                if self.running_call is not None:
                    self.running_call.client_gone = True
                return None
            if message.get("bytes") is not None:
                await self.stop_running()
                await self.close(UNSUPPORTED_DATA, "binary frames are not accepted: send text")
                return receiving
            await self.take(message.get("text") or "")
            receiving = asyncio.ensure_future(self.websocket.receive())

    async def take(self, frame: str | bytes) -> None:
        """One client message: a `response.create` started, or an error event saying why not."""
        try:
            self.count_message()
            body = create_body(frame, self.settings)
            if self.running is not None:
                raise InvalidRequest(
                    "A response is already in progress on this connection: wait for its "
                    "last event before sending another response.create.",
                    code="response_in_progress",
                )
        except GatewayError as error:
            await self.send(error_message(error))
            return
        warming = frame_asks_warm_up(body)
        body = {key: value for key, value in body.items() if key not in TRANSPORT_FIELDS}
        self.running = asyncio.create_task(self.respond(body, warming))

    def count_message(self) -> None:
        now = time.monotonic()
        while self.received and self.received[0] <= now - MINUTE:
            self.received.popleft()
        if len(self.received) >= self.settings.websocket_messages_per_minute:
            raise RateLimited(
                f"Too many messages on this connection: at most "
                f"{self.settings.websocket_messages_per_minute} a minute.",
                code="rate_limit_exceeded",
            )
        self.received.append(now)

    async def respond(self, body: Json, warming: bool = False) -> None:
        """Serve one turn: its events, or the error event that refused it."""
        call = self.calls.new_call()
        call.body = {**body, "stream": True}
        self.running_call = call
        events = SocketEvents(call)
        turn: Turn | None = None
        try:
            try:
                await self.calls.admit(call)
                if asks_compaction(call.body):  # Codex's remote compaction, inline
                    relay = await compaction_events(call, call.body, events, self.earlier)
                else:
                    turn = await opened_turn(call, call.body, self.earlier)
                    relay = warm_up(turn, events) if warming else await streamed(turn, events)
            except GatewayError as error:
                call.error = error
                await self.send(error_message(error))
                if isinstance(error, AuthenticationFailed):  # its key revoked: no more turns
                    await self.close(POLICY_VIOLATION, "invalid api key")
                return
            # Closed however the turn ends (the client gone included): the upstream stream too.
            async with contextlib.aclosing(guarded(call, relay, events.error_event)) as frames:
                async for frame in frames:
                    try:
                        await self.websocket.send_text(frame.decode())
                    except Exception:  # the connection is gone: nobody hears the rest
                        call.client_gone = True
                        return
            if turn is not None and turn.response is not None:
                output = turn.response.get("output") or []
                self.last = Remembered(turn.id, turn.context + output)
        except Exception:
            if not call.client_gone:
                log.exception("websocket turn failed unexpectedly")
                call.error = InternalError("The response failed unexpectedly.")
                with contextlib.suppress(Exception):
                    await self.send(error_message(call.error))
        finally:
            self.running_call = None
            await asyncio.shield(self.calls.finished(call))  # a cancelled turn frees its slot

    async def earlier(self, call: Call, body: Json) -> list[Json]:
        """What the turn continues: the connection's last response first, then a stored one."""
        previous_id = body.get("previous_response_id")
        if previous_id and self.last is not None and previous_id == self.last.response_id:
            return self.last.context
        try:
            return await earlier_context(call, body)
        except NotFound:
            raise InvalidRequest(
                f"Previous response with id '{previous_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            ) from None

    async def stop_running(self) -> None:
        if self.running is not None:
            self.running.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.running
            self.running = None

    async def send(self, body: Json) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            await self.websocket.send_text(orjson.dumps(body).decode())

    async def close(self, code: int, reason: str) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code, reason)


def create_body(frame: str | bytes, settings: Settings) -> Json:
    """A `response.create` message's createResponse body, parsed within the gateway's JSON
    limits and checked against the spec; else the error that refuses it."""
    raw = frame.encode() if isinstance(frame, str) else frame
    message = parse_json(raw, settings.max_json_depth, settings.max_json_values)
    if not isinstance(message, dict) or message.get("type") != "response.create":
        raise InvalidRequest(
            "Each message must be a JSON object of type 'response.create'.",
            param="type",
            code="invalid_event_type",
        )
    body = {key: value for key, value in message.items() if key not in ("type", "stream")}
    error = first_error(schemas_of(DOCUMENT)["CreateResponse"], body)
    if error is not None:
        raise error
    return body


def frame_asks_warm_up(body: Json) -> bool:
    return body.get("generate") is False


async def warm_up(turn: Turn, events: ResponseEvents) -> AsyncGenerator[bytes]:
    """`generate: false` (Codex sends one as a connection opens): a response with no output,
    asking nothing of the upstream, that later turns continue (its input is their context)."""
    opening = response_object(turn.body, turn.id, turn.created_at, "in_progress")
    done = finished(opening, [], usage.responses_from_chat(NO_USAGE), "stop")
    await turn.keep(done, None)
    for kind, response in (
        ("response.created", opening),
        ("response.in_progress", opening),
        ("response.completed", done),
    ):
        yield events.event({"type": kind, "response": response})
