"""Anthropic's `cache_control` on a translated request: Copilot's `copilot_cache_control` on
the chat message (or tool) holding the marked block; none where nothing was marked; and none
for an upstream that is not Copilot. Function by function here, over HTTP below."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import orjson
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conftest import API_KEY
from copilot_gateway.emulator import CopilotEmulator
from copilot_gateway.surfaces.anthropic.translate import chat_request
from copilot_gateway.surfaces.openai.endpoints import CHAT
from servers import gateway_settings, running, serving

EPHEMERAL = {"type": "ephemeral"}
MARK = {"cache_control": {"type": "ephemeral", "ttl": "1h"}}
TOOL = {"name": "look", "input_schema": {"type": "object"}}


def request(**extra: object) -> dict:
    return {"model": "gpt-4o", "max_tokens": 100, **extra}


def hints(items: list[dict]) -> list[object]:
    return [item.get("copilot_cache_control") for item in items]


def test_a_marked_block_marks_the_message_it_lands_in_and_no_other() -> None:
    body = request(
        system=[{"type": "text", "text": "Rules.", **MARK}],
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "First"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "Ok", **MARK}]},
            {"role": "user", "content": [{"type": "text", "text": "Second", **MARK}]},
        ],
    )
    # Copilot takes only the type: Anthropic's ttl has no place there.
    assert hints(chat_request(body)["messages"]) == [EPHEMERAL, None, EPHEMERAL, EPHEMERAL]


def test_a_system_message_inside_messages_marks_the_one_system_message() -> None:
    body = request(
        system="Rules.",
        messages=[
            {"role": "system", "content": [{"type": "text", "text": "Env", **MARK}]},
            {"role": "user", "content": "Hi"},
        ],
    )
    messages = chat_request(body)["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert hints(messages) == [EPHEMERAL, None]


def test_a_marked_tool_result_marks_its_tool_message_and_text_beside_it_the_last() -> None:
    call = {"type": "tool_use", "id": "t1", "name": "look", "input": {}}
    call_2 = {**call, "id": "t2"}
    body = request(
        messages=[
            {"role": "user", "content": "Look twice"},
            {"role": "assistant", "content": [call, call_2]},
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "t1", "content": "a", **MARK},
                    {"type": "tool_result", "tool_use_id": "t2", "content": "b"},
                    {"type": "text", "text": "Go on", **MARK},
                ],
            },
        ],
    )
    messages = chat_request(body)["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "tool"]
    assert hints(messages) == [None, None, EPHEMERAL, EPHEMERAL]


def test_a_marked_tool_is_a_marked_chat_tool() -> None:
    body = request(
        messages=[{"role": "user", "content": "Hi"}],
        tools=[TOOL, {**TOOL, "name": "other", **MARK}],
    )
    assert hints(chat_request(body)["tools"]) == [None, EPHEMERAL]


def test_nothing_marked_sends_no_hint() -> None:
    body = request(system="Rules.", messages=[{"role": "user", "content": "Hi"}], tools=[TOOL])
    sent = chat_request(body)
    assert "copilot_cache_control" not in orjson.dumps(sent).decode()


def test_an_upstream_that_is_not_copilot_gets_the_request_without_hints() -> None:
    body = request(
        system=[{"type": "text", "text": "Rules.", **MARK}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "Hi", **MARK}]}],
        tools=[{**TOOL, **MARK}],
    )
    sent = chat_request(body)
    plain = CHAT.plain(sent)
    assert "copilot_cache_control" not in orjson.dumps(plain).decode()
    assert [m["content"] for m in plain["messages"]] == ["Rules.", "Hi"]
    assert plain["tools"][0]["function"]["name"] == "look"
    assert hints(sent["messages"]) == [EPHEMERAL, EPHEMERAL]  # the request itself is unchanged


class Recorder:
    """The emulator, with every request body it is sent noted by path (what reached it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.bodies: list[tuple[str, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        self.bodies.append((scope["path"], body))

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:  # then what the server says next (a disconnect)
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def sent_to(self, path: str) -> list[dict]:
        return [orjson.loads(body) for seen, body in self.bodies if seen == path and body]


@pytest.fixture(scope="module")
def recorded() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder(CopilotEmulator().app)
    with running(recorder) as emulator_url, serving(gateway_settings(emulator_url)) as url:
        yield url, recorder


def test_copilot_gets_the_hint_on_a_translated_request_over_http(
    recorded: tuple[str, Recorder],
) -> None:
    url, recorder = recorded
    body = request(
        system=[{"type": "text", "text": "Be brief.", **MARK}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "Hi", **MARK}]}],
        tools=[{**TOOL, **MARK}],
    )
    for stream in (False, True):
        answer = httpx.post(
            f"{url}/v1/messages", json={**body, "stream": stream}, headers={"x-api-key": API_KEY}
        )
        assert answer.status_code == 200, answer.text
        sent = recorder.sent_to("/chat/completions")[-1]
        assert hints(sent["messages"]) == [EPHEMERAL, EPHEMERAL]
        assert hints(sent["tools"]) == [EPHEMERAL]
