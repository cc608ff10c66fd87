"""The openai upstream in-process, against a small OpenAI-compatible app on httpx's ASGI
transport: its catalogue, its key, what it notes in the request's record, and streams that
end as their endpoint says. (Through two gateways over real HTTP: `test_openai`.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from copilot_gateway.errors import ContextTooLong
from copilot_gateway.surfaces.openai.endpoints import CHAT, EMBEDDINGS, RESPONSES
from copilot_gateway.upstreams.base import Json
from copilot_gateway.upstreams.client import error_from_response, make_client
from copilot_gateway.upstreams.openai import OpenAIUpstream
from emulated_copilot import drained, record, run, settings

T = TypeVar("T")
ANSWER = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]}
RESPONSE_EVENTS = [
    {"type": "response.created", "response": {"id": "resp_1"}},
    {"type": "response.completed", "response": {"id": "resp_1"}},
]


def server(seen: list[dict[str, str]]) -> Starlette:
    """An OpenAI-compatible server that notes each request's headers."""

    async def models(request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": "m1", "object": "model"}]})

    async def chat(request: Request) -> JSONResponse:
        seen.append(dict(request.headers))
        return JSONResponse(ANSWER)

    async def responses(request: Request) -> StreamingResponse:
        async def events() -> AsyncIterator[bytes]:
            for event in RESPONSE_EVENTS:  # and no `[DONE]`, as the Responses API streams
                yield b"data: " + orjson.dumps(event) + b"\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/models", models),
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/responses", responses, methods=["POST"]),
        ]
    )


def on(app: Starlette, work: Callable[[OpenAIUpstream], Awaitable[T]], **overrides: object) -> T:
    chosen = settings(
        upstream="openai", upstream_url="http://upstream/v1", upstream_api_key="sk-up", **overrides
    )
    upstream = OpenAIUpstream(make_client(chosen, httpx.ASGITransport(app=app)), chosen)
    return run(upstream, work)


def test_its_models_are_served_anywhere_unless_it_has_no_responses_api() -> None:
    app = server([])
    anywhere = on(app, lambda upstream: upstream.models())["m1"]
    assert anywhere.serves(RESPONSES) and anywhere.serves(CHAT)
    translated = on(app, lambda upstream: upstream.models(), upstream_responses="translate")["m1"]
    assert not translated.serves(RESPONSES)
    assert translated.serves(CHAT) and translated.serves(EMBEDDINGS)


def test_a_call_sends_the_key_notes_the_status_and_passes_no_client_headers() -> None:
    seen: list[dict[str, str]] = []
    noted = record()
    client = {"anthropic-beta": "b1", "authorization": "Bearer sk-client"}
    body: Json = {"model": "m1", "messages": [{"role": "user", "content": "hi"}]}
    answer = on(server(seen), lambda upstream: upstream.call(CHAT, body, noted, client))
    assert answer == ANSWER and noted.upstream_status == 200
    assert seen[0]["authorization"] == "Bearer sk-up"
    assert "anthropic-beta" not in seen[0]


def test_a_responses_stream_ends_with_its_last_event() -> None:
    async def work(upstream: OpenAIUpstream) -> list[Json]:
        return await drained(await upstream.stream(RESPONSES, {"model": "m1"}, record()))

    assert on(server([]), work) == RESPONSE_EVENTS


def test_a_price_its_model_list_gives_wins_over_the_configured_one() -> None:
    # A server in front of Copilot may pass on Copilot's `billing.token_prices` (flat shape:
    # nano-AIU per batch): those are the prices it is billed at.
    listed = {"batch_size": 1_000_000, "input_price": 3e11, "output_price": 1.5e12}

    async def models(request: Request) -> JSONResponse:
        data = [
            {"id": "m1", "object": "model", "billing": {"token_prices": listed}},
            {"id": "m2", "object": "model"},
        ]
        return JSONResponse({"object": "list", "data": data})

    async def chat(request: Request) -> JSONResponse:
        return JSONResponse(ANSWER)

    app = Starlette(
        routes=[
            Route("/v1/models", models),
            Route("/v1/chat/completions", chat, methods=["POST"]),
        ]
    )
    prices = {"m1": {"input": 1.0, "output": 1.0}, "m2": {"input": 1.0, "output": 2.0}}
    records = {"m1": record(), "m2": record()}

    async def work(upstream: OpenAIUpstream) -> None:
        for model, noted in records.items():
            await upstream.call(CHAT, {"model": model, "messages": []}, noted)
            noted.add_usage({"prompt_tokens": 1_000_000, "completion_tokens": 1_000_000})

    on(app, work, prices=prices)
    assert records["m1"].credits() == 300 + 1_500  # $3 + $15 a million, as listed
    assert records["m2"].credits() == 100 + 200  # $1 + $2 a million, as configured


def test_copilots_hints_are_not_sent_to_an_openai_compatible_server() -> None:
    """Copilot's `copilot_cache_control` (the Anthropic translation's) is no field of OpenAI's:
    such a server may refuse it, and gets the request without it."""
    bodies: list[Json] = []

    async def chat(request: Request) -> JSONResponse:
        bodies.append(orjson.loads(await request.body()))
        return JSONResponse(ANSWER)

    app = Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])
    hint = {"copilot_cache_control": {"type": "ephemeral"}}
    body: Json = {
        "model": "m1",
        "messages": [
            {"role": "system", "content": "Rules.", **hint},
            {"role": "user", "content": "hi"},
        ],
        "tools": [{"type": "function", "function": {"name": "look"}, **hint}],
    }
    on(app, lambda upstream: upstream.call(CHAT, body, record()))
    assert bodies == [
        {
            "model": "m1",
            "messages": [
                {"role": "system", "content": "Rules."},
                {"role": "user", "content": "hi"},
            ],
            "tools": [{"type": "function", "function": {"name": "look"}}],
        }
    ]
    assert "copilot_cache_control" in body["messages"][0]  # the caller's body is left as it was


@pytest.mark.parametrize(
    "message",
    [
        "This model's maximum context length is 128000 tokens. However, your messages "
        "resulted in 130512 tokens. Please reduce the length of the messages.",
        "This model's maximum context length is 128000 tokens. However, you requested "
        "130512 tokens (130000 in the messages, 512 in the completion).",
    ],
)
def test_openais_context_refusal_keeps_its_numbers(message: str) -> None:
    raw = orjson.dumps({"error": {"message": message, "code": "context_length_exceeded"}})
    error = error_from_response(400, httpx.Headers(), raw)
    assert isinstance(error, ContextTooLong)
    assert (error.prompt_tokens, error.limit, error.message) == (130512, 128000, message)


# A Copilot-compatible server's own bill (a gateway or proxy in front of Copilot passes it on).
BILL = {
    "token_details": [
        {"token_type": "input", "token_count": 10, "batch_size": 1, "cost_per_batch": 3000},
        {"token_type": "output", "token_count": 5, "batch_size": 1, "cost_per_batch": 15000},
    ],
    "total_nano_aiu": 105_000,
}
BILLED_CHUNKS = [
    {"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}}]},
    {"id": "c1", "object": "chat.completion.chunk", "choices": [], "usage": {"total_tokens": 15}},
    {"choices": [], "copilot_usage": BILL},  # Copilot's late chunk of its own
]


def billing_server() -> Starlette:
    """An OpenAI-compatible server that bills as Copilot does (`copilot_usage`)."""

    async def chat(request: Request) -> JSONResponse | StreamingResponse:
        if not orjson.loads(await request.body()).get("stream"):
            return JSONResponse({**ANSWER, "copilot_usage": BILL})

        async def chunks() -> AsyncIterator[bytes]:
            for chunk in BILLED_CHUNKS:
                yield b"data: " + orjson.dumps(chunk) + b"\n\n"
            yield b"data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])


def test_a_copilot_compatible_servers_bill_is_read_and_never_passed_on() -> None:
    body: Json = {"model": "m1", "messages": [{"role": "user", "content": "hi"}]}
    plain, streamed = record(), record()

    async def work(upstream: OpenAIUpstream) -> tuple[Json, list[Json]]:
        answer = await upstream.call(CHAT, body, plain)
        events = await drained(await upstream.stream(CHAT, {**body, "stream": True}, streamed))
        return answer, events

    answer, events = on(billing_server(), work)
    assert answer == ANSWER  # the bill taken out
    assert events == BILLED_CHUNKS[:2]  # the chunk that held only the bill is not sent
    assert plain.nano_aiu() == streamed.nano_aiu() == 105_000
    assert plain.credits() == pytest.approx(105_000 / 1e9)
