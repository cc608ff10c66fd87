"""The prompt-limit step every operation that sends a prompt takes with its model: prompts
counted (chat messages with chat's overhead, plain texts without), only where the model
has a limit, and refused on the parameter that holds them. Embeddings too, when the
catalogue gives their limit (the emulator's gives none: see `tests/surfaces`)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable

import pytest

from copilot_gateway import tokens
from copilot_gateway.access.models import model_for_prompt
from copilot_gateway.access.prompt_limits import MARGIN, Prompt, require_prompts_fit
from copilot_gateway.call import Call
from copilot_gateway.errors import InvalidRequest
from copilot_gateway.surfaces.openai.embeddings import createEmbedding
from copilot_gateway.upstreams.base import ModelInfo
from memory_upstream import MemoryUpstream, call_to

LISTED = {"id": "m", "object": "model", "created": 0, "owned_by": "memory"}


def limited(limit: int | None, kind: str = "chat", model_id: str = "gpt-4o") -> ModelInfo:
    return ModelInfo(model_id, kind, (), {**LISTED, "id": model_id}, max_prompt_tokens=limit)


def test_a_chat_prompt_counts_its_messages_with_chats_overhead() -> None:
    messages = [{"role": "user", "content": "hello " * 100}]
    counted = tokens.count_prompt(messages, "gpt-4o")
    require_prompts_fit(limited(math.ceil(counted / MARGIN)), [messages], "messages")
    with pytest.raises(InvalidRequest) as refused:
        require_prompts_fit(limited(math.ceil(counted / MARGIN) - 1), [messages], "messages")
    error = refused.value
    assert (error.status, error.code, error.param) == (400, "context_length_exceeded", "messages")
    assert str(counted) in error.message


def test_plain_texts_count_without_chats_overhead_and_each_on_its_own() -> None:
    text = "hello " * 100
    counted = tokens.count([text], "gpt-4o")
    require_prompts_fit(limited(math.ceil(counted / MARGIN)), [text, text, text], "input")
    with pytest.raises(InvalidRequest) as refused:
        require_prompts_fit(limited(math.ceil(counted / MARGIN) - 1), ["short", text], "input")
    assert refused.value.param == "input"


def test_without_a_limit_nothing_is_counted() -> None:
    asked: list[str] = []

    def prompts(model: str) -> Iterable[Prompt]:
        asked.append(model)
        return ["hello " * 10_000]

    upstream = MemoryUpstream(catalogue=[limited(None)])
    info = asyncio.run(model_for_prompt(call_to(upstream), "gpt-4o", prompts))
    assert info.id == "gpt-4o" and asked == []


def test_the_prompts_are_read_for_the_resolved_model() -> None:
    asked: list[str] = []

    def prompts(model: str) -> Iterable[Prompt]:
        asked.append(model)
        return ["short"]

    upstream = MemoryUpstream(catalogue=[limited(100, model_id="claude-3.5-haiku")])
    call = call_to(upstream)
    info = asyncio.run(model_for_prompt(call, "claude-3-5-haiku-20241022", prompts))
    assert info.id == "claude-3.5-haiku" and asked == ["claude-3.5-haiku"]


def embedding_call(limit: int | None, text: str, upstream: MemoryUpstream) -> Call:
    upstream.catalogue = [limited(limit, "embeddings", "text-embedding-3-small")]
    call = call_to(upstream, path="/v1/embeddings")
    call.body = {"model": "text-embedding-3-small", "input": ["short", text]}
    return call


def test_an_embedding_input_over_the_models_limit_is_refused_before_it_is_sent() -> None:
    upstream = MemoryUpstream()
    call = embedding_call(8191, "hello " * 9_000, upstream)
    with pytest.raises(InvalidRequest) as refused:
        asyncio.run(createEmbedding(call))
    assert (refused.value.code, refused.value.param) == ("context_length_exceeded", "input")
    assert upstream.requests == []


def test_an_embedding_input_within_the_limit_is_sent() -> None:
    vector = {"object": "embedding", "embedding": [0.5], "index": 0}
    upstream = MemoryUpstream(answers=[{"data": [vector, {**vector, "index": 1}]}])
    call = embedding_call(8191, "hello " * 7_000, upstream)
    response = asyncio.run(createEmbedding(call))
    assert response.status_code == 200
    assert len(upstream.requests) == 1
