"""ChatStream: upstream chat chunks in, the client's server-sent events out, as bytes."""

from __future__ import annotations

import asyncio

import orjson

from copilot_gateway import tokens, usage
from copilot_gateway.call import Call
from copilot_gateway.surfaces.openai.streams import ChatStream
from copilot_gateway.upstreams.base import Json
from memory_upstream import MemoryUpstream, call_to, chunks_of

MESSAGES = [{"role": "user", "content": "Tell me about the weather"}]
OPENING: Json = {  # Copilot's choiceless first chunk, then its references chunk
    "choices": [],
    "created": 0,
    "id": "",
    "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
}
REFERENCES: Json = {"choices": None, "copilot_references": []}


def upstream_chunk(*choices: Json, **extra: object) -> Json:
    return {"id": "upstream-id", "model": "gpt-4o-2024-11-20", "choices": list(choices), **extra}


def delta(index: int = 0, reason: str | None = None, **fields: object) -> Json:
    return {"index": index, "delta": fields, "finish_reason": reason}


def relay(
    chunks: list[Json], include_usage: bool = False, n: int | None = None
) -> tuple[list[bytes], Call]:
    call = call_to(MemoryUpstream())
    request: Json = {"model": "gpt-4o", "messages": MESSAGES, "stream": True}
    if n:
        request["n"] = n
    stream = ChatStream(call, "chatcmpl-ours", 1700000000, request, include_usage)

    async def events() -> list[bytes]:
        return [event async for event in stream.events(chunks_of(chunks))]

    return asyncio.run(events()), call


def parsed(events: list[bytes]) -> list[Json]:
    """The JSON of every event before `[DONE]`, checking each is framed as one SSE event."""
    bodies = []
    for event in events[:-1]:
        assert event.startswith(b"data: ") and event.endswith(b"\n\n")
        assert b"\n" not in event[:-2]
        bodies.append(orjson.loads(event[len(b"data: ") : -2]))
    return bodies


PLAIN = [
    OPENING,
    REFERENCES,
    upstream_chunk(delta(role="assistant", content="")),
    upstream_chunk(delta(content="Sunny")),
    upstream_chunk(delta(content=" today.")),
    upstream_chunk(delta(reason="stop")),
]


def test_every_chunk_carries_our_one_id_and_the_stream_ends_with_done() -> None:
    events, _ = relay(PLAIN)
    assert events[-1] == b"data: [DONE]\n\n"
    chunks = parsed(events)
    assert {chunk["id"] for chunk in chunks} == {"chatcmpl-ours"}
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
    assert {chunk["created"] for chunk in chunks} == {1700000000}
    assert {chunk["model"] for chunk in chunks} == {"gpt-4o-2024-11-20"}  # as upstream says


def test_choiceless_upstream_chunks_are_not_relayed() -> None:
    chunks = parsed(relay(PLAIN)[0])
    assert [chunk["choices"][0]["delta"] for chunk in chunks] == [
        {"role": "assistant", "content": ""},
        {"content": "Sunny"},
        {"content": " today."},
        {},
    ]
    assert [chunk["choices"][0]["finish_reason"] for chunk in chunks] == [None] * 3 + ["stop"]
    assert all("usage" not in chunk for chunk in chunks)


def test_usage_the_upstream_reported_closes_the_stream_when_asked() -> None:
    reported = {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}
    events, call = relay([*PLAIN, upstream_chunk(usage=reported)], include_usage=True)
    *choices, last = parsed(events)
    assert last["choices"] == [] and last["usage"] == reported
    assert last["id"] == "chatcmpl-ours"
    assert all(chunk["choices"] for chunk in choices)
    assert (call.record.prompt_tokens, call.record.completion_tokens) == (11, 3)


def test_usage_not_reported_is_counted_from_the_request_and_what_was_generated() -> None:
    events, call = relay(PLAIN, include_usage=True)
    counted = parsed(events)[-1]["usage"]
    assert counted == usage.chat_usage(
        tokens.count_prompt(MESSAGES, "gpt-4o-2024-11-20"),
        tokens.count(["Sunny today."], "gpt-4o-2024-11-20"),
    )
    assert call.record.completion_tokens == counted["completion_tokens"] > 0


def test_without_include_usage_no_usage_chunk_but_usage_is_still_recorded() -> None:
    reported = {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}
    events, call = relay([*PLAIN, upstream_chunk(usage=reported)])
    assert all("usage" not in chunk for chunk in parsed(events))
    assert call.record.prompt_tokens == 11


def test_claudes_split_stream_reaches_the_client_as_one_choice_calling_a_tool() -> None:
    call_head = {
        "index": 1,
        "id": "toolu_1",
        "type": "function",
        "function": {"name": "weather", "arguments": '{"city":'},
    }
    call_tail = {"index": 1, "function": {"arguments": '"Paris"}'}}
    events, _ = relay(
        [
            OPENING,
            upstream_chunk(delta(0, role="assistant", content="Checking.")),
            upstream_chunk(delta(0, "stop")),
            upstream_chunk(delta(1, tool_calls=[call_head])),
            upstream_chunk(delta(1, tool_calls=[call_tail])),
            upstream_chunk(delta(1, "stop")),
        ],
        include_usage=True,
    )
    chunks = parsed(events)
    choices = [choice for chunk in chunks for choice in chunk["choices"]]
    assert {choice["index"] for choice in choices} == {0}
    calls = [call for choice in choices for call in choice["delta"].get("tool_calls", [])]
    assert [call["index"] for call in calls] == [0, 0]
    assert [choice["finish_reason"] for choice in choices] == [None, None, None, "tool_calls"]
    # The counted completion holds the call whole: its name and its joined arguments.
    usage = chunks[-1]["usage"]
    generated = ["Checking.", "weather", '{"city":"Paris"}']
    assert usage["completion_tokens"] == tokens.count(generated, "gpt-4o-2024-11-20")
    assert events[-1] == b"data: [DONE]\n\n"


def test_several_choices_asked_for_keep_their_own_index_and_finish() -> None:
    events, _ = relay(
        [
            upstream_chunk(delta(0, content="one"), delta(1, content="two")),
            upstream_chunk(delta(0, "stop"), delta(1, "length")),
        ],
        n=2,
    )
    chunks = parsed(events)
    assert len(chunks) == 2
    assert [(c["index"], c["finish_reason"]) for c in chunks[1]["choices"]] == [
        (0, "stop"),
        (1, "length"),
    ]


def test_a_stream_the_upstream_left_unfinished_still_ends_with_done() -> None:
    events, _ = relay([OPENING, upstream_chunk(delta(content="cut"))])
    chunks = parsed(events)
    assert [chunk["choices"][0]["finish_reason"] for chunk in chunks] == [None]
    assert events[-1] == b"data: [DONE]\n\n"
