"""LangChain's OpenAI integration pointed at the gateway: invoke, stream, tools, embeddings."""

from __future__ import annotations

import pytest
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import SecretStr

from conftest import API_KEY


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}"


@pytest.fixture
def chat(gateway_url: str) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o", base_url=f"{gateway_url}/v1", api_key=API_KEY, max_retries=0)  # type: ignore[arg-type]


def test_invoke(chat: ChatOpenAI) -> None:
    reply = chat.invoke("Tell me about gateways")
    assert "Tell me about gateways" in str(reply.content)
    assert reply.usage_metadata and reply.usage_metadata["total_tokens"] > 0


def test_stream(chat: ChatOpenAI) -> None:
    pieces = [chunk.content for chunk in chat.stream("Stream about gateways")]
    assert len(pieces) > 3
    assert "Stream about gateways" in "".join(str(p) for p in pieces)


def test_tool_binding(chat: ChatOpenAI) -> None:
    forced = chat.bind_tools([get_weather], tool_choice="get_weather")
    reply = forced.invoke("What is the weather in Paris?")
    (call,) = reply.tool_calls  # type: ignore[attr-defined]
    assert call["name"] == "get_weather" and call["args"] == {"city": "emulated"}


def test_embeddings(gateway_url: str) -> None:
    # LangChain would count tokens with tiktoken, which downloads its files: not offline.
    # `base_url` and `api_key` by their fields' names: pydantic's mypy plugin types only those.
    embeddings = OpenAIEmbeddings(
        model="text-embedding-3-small",
        openai_api_base=f"{gateway_url}/v1",
        openai_api_key=SecretStr(API_KEY),
        check_embedding_ctx_length=False,
    )
    vectors = embeddings.embed_documents(["alpha", "beta"])
    assert len(vectors) == 2 and len(vectors[0]) == 1536
    assert embeddings.embed_query("alpha") == vectors[0]
