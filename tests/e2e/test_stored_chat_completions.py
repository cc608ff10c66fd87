"""Stored chat completions through the official openai SDK (`store=True`; `list`, `retrieve`,
`update`, `delete`, `messages.list`), against a real gateway on each kind of database (a
SQLite file, PostgreSQL), its upstream the emulator. Each test lists under keys of its own:
the gateway of each kind serves the whole module."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from sqlalchemy import text
from test_openai_sdk import TOOLS, checked, first_function_call, sdk_client

from databases import KINDS, Database, database_of
from servers import gateway_settings, serving

KEYS = [f"sk-stored-{name}" for name in ("lists", "pages", "owner", "other", "tools", "off")]
TRANSLATED = "gpt-5.3-codex"  # served only on /responses: chat goes there and back
CONVERSATION: list[ChatCompletionMessageParam] = [
    {"role": "developer", "content": "Answer briefly."},
    {
        "role": "user",
        "content": [{"type": "text", "text": "Hello, "}, {"type": "text", "text": "you"}],
    },
    {"role": "assistant", "content": "Hi."},
    {"role": "user", "content": "What is a gateway?"},
]


@pytest.fixture(scope="module", params=KINDS)
def stored_gateway(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _shared_emulator_url: str,
) -> Iterator[tuple[Database, str]]:
    directory = tmp_path_factory.mktemp(f"stored-{request.param}")
    with database_of(request.param, request, directory) as database:
        settings = gateway_settings(
            _shared_emulator_url,
            api_keys=",".join(KEYS),
            responses_db=directory / "responses.sqlite3",
            **database.settings,
        )
        with serving(settings) as url:
            yield database, url


@pytest.fixture
def url(stored_gateway: tuple[Database, str]) -> str:
    return stored_gateway[1]


def sdk(url: str, key: str) -> openai.OpenAI:
    return sdk_client(url, api_key=key)


def ask(
    client: openai.OpenAI, text: str, metadata: dict[str, str] | None = None, stream: bool = False
) -> str:
    """A stored completion's id (streamed when asked)."""
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": text}]
    tags = openai.omit if metadata is None else metadata
    if stream:
        chunks = checked(
            client.chat.completions.create(
                model="gpt-4o", messages=messages, stream=True, store=True, metadata=tags
            )
        )
        return str(chunks[0].id)
    return client.chat.completions.create(
        model="gpt-4o", messages=messages, store=True, metadata=tags
    ).id


def test_a_stored_completion_is_retrieved_as_it_was_answered(url: str) -> None:
    client = sdk(url, "sk-stored-lists")
    answered = client.chat.completions.create(
        model="gpt-4o", messages=CONVERSATION, store=True, metadata={"topic": "gateways"}
    )
    kept = client.chat.completions.retrieve(answered.id)
    assert kept.id == answered.id
    assert kept.choices[0].message.content == answered.choices[0].message.content
    assert kept.usage == answered.usage
    assert kept.model == answered.model
    assert kept.metadata == {"topic": "gateways"}


def test_a_streamed_completion_is_stored_whole_before_the_stream_ends(url: str) -> None:
    client = sdk(url, "sk-stored-lists")
    chunks = checked(
        client.chat.completions.create(
            model="gpt-4o",
            messages=CONVERSATION,
            stream=True,
            store=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    kept = client.chat.completions.retrieve(chunks[0].id)
    assert kept.choices[0].message.content == text
    assert kept.choices[0].finish_reason == "stop"
    assert kept.usage == chunks[-1].usage


@pytest.mark.parametrize("stream", [False, True])
def test_tool_calls_are_stored_as_they_were_made(url: str, stream: bool) -> None:
    client = sdk(url, "sk-stored-tools")
    request = {"model": "gpt-4o", "messages": CONVERSATION, "tools": TOOLS, "store": True}
    if stream:
        chunks = checked(
            client.chat.completions.create(**request, stream=True, tool_choice="required")
        )
        completion_id = chunks[0].id
    else:
        completion_id = client.chat.completions.create(**request, tool_choice="required").id
    kept = client.chat.completions.retrieve(completion_id)
    assert kept.choices[0].finish_reason == "tool_calls"
    call = first_function_call(kept)
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments)["city"] == "emulated"


def test_a_model_served_through_responses_is_stored_too(url: str) -> None:
    client = sdk(url, "sk-stored-tools")
    answered = client.chat.completions.create(model=TRANSLATED, messages=CONVERSATION, store=True)
    assert client.chat.completions.retrieve(answered.id).choices[0].message.content == (
        answered.choices[0].message.content
    )


def test_without_store_nothing_is_kept(url: str) -> None:
    client = sdk(url, "sk-stored-off")
    kept_not = [
        client.chat.completions.create(model="gpt-4o", messages=CONVERSATION).id,
        client.chat.completions.create(model="gpt-4o", messages=CONVERSATION, store=False).id,
        checked(
            client.chat.completions.create(
                model="gpt-4o", messages=CONVERSATION, store=False, stream=True
            )
        )[0].id,
    ]
    assert client.chat.completions.list().data == []
    for completion_id in kept_not:
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.retrieve(completion_id)


def test_the_list_filters_by_model_and_metadata(url: str) -> None:
    client = sdk(url, "sk-stored-owner")
    plain = ask(client, "one")
    tagged = ask(client, "two", metadata={"team": "a", 'odd "key" $.z': "v"})
    streamed = ask(client, "three", stream=True, metadata={"team": "b"})
    other_model = client.chat.completions.create(
        model="gpt-4.1", messages=CONVERSATION, store=True, metadata={"team": "a"}
    ).id

    def listed(**filters: object) -> list[str]:
        return [c.id for c in client.chat.completions.list(**filters)]  # type: ignore[arg-type]

    assert listed() == [plain, tagged, streamed, other_model]  # oldest first by default
    assert listed(model="gpt-4o") == [plain, tagged, streamed]
    assert listed(model="gpt-4.1") == [other_model]
    assert listed(model="no-such-model") == []
    assert listed(metadata={"team": "a"}) == [tagged, other_model]
    assert listed(metadata={"team": "a"}, model="gpt-4.1") == [other_model]
    assert listed(metadata={"team": "a", 'odd "key" $.z': "v"}) == [tagged]
    assert listed(metadata={"team": "b"}) == [streamed]
    assert listed(metadata={"team": "c"}) == []
    assert listed(order="desc") == [other_model, streamed, tagged, plain]


def test_the_list_pages_with_after_in_either_order(url: str) -> None:
    client = sdk(url, "sk-stored-pages")
    made = [ask(client, f"number {n}") for n in range(5)]
    first = client.chat.completions.list(limit=2)
    assert [c.id for c in first.data] == made[:2]
    assert first.has_more
    second = client.chat.completions.list(limit=2, after=made[1])
    assert [c.id for c in second.data] == made[2:4] and second.has_more
    last = client.chat.completions.list(limit=2, after=made[3])
    assert [c.id for c in last.data] == made[4:] and not last.has_more
    # The SDK's own paging follows `after` to the end.
    assert [c.id for c in client.chat.completions.list(limit=2)] == made
    assert [c.id for c in client.chat.completions.list(limit=2, order="desc")] == made[::-1]
    backwards = client.chat.completions.list(limit=2, order="desc", after=made[2])
    assert [c.id for c in backwards.data] == [made[1], made[0]] and not backwards.has_more
    assert client.chat.completions.list(after="chatcmpl-unknown").data == []


def test_metadata_is_replaced_by_an_update_and_listed_by_it(url: str) -> None:
    client = sdk(url, "sk-stored-pages")
    completion_id = ask(client, "tag me", metadata={"stage": "draft", "keep": "no"})
    updated = client.chat.completions.update(completion_id, metadata={"stage": "final"})
    assert updated.metadata == {"stage": "final"}
    assert client.chat.completions.retrieve(completion_id).metadata == {"stage": "final"}
    assert [c.id for c in client.chat.completions.list(metadata={"stage": "final"})] == [
        completion_id
    ]
    assert client.chat.completions.list(metadata={"stage": "draft"}).data == []
    assert client.chat.completions.list(metadata={"keep": "no"}).data == []
    cleared = client.chat.completions.update(completion_id, metadata={})
    assert cleared.metadata == {}


def test_a_deleted_completion_is_gone(url: str) -> None:
    client = sdk(url, "sk-stored-pages")
    completion_id = ask(client, "delete me")
    deleted = client.chat.completions.delete(completion_id)
    assert (deleted.id, deleted.deleted, deleted.object) == (
        completion_id,
        True,
        "chat.completion.deleted",
    )
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.retrieve(completion_id)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.delete(completion_id)
    assert completion_id not in [c.id for c in client.chat.completions.list()]


def test_messages_are_listed_as_they_were_sent_with_paging(url: str) -> None:
    client = sdk(url, "sk-stored-lists")
    completion_id = client.chat.completions.create(
        model="gpt-4o", messages=CONVERSATION, store=True
    ).id
    messages = client.chat.completions.messages.list(completion_id)
    assert [m.id for m in messages.data] == [f"{completion_id}-{n}" for n in range(4)]
    assert [m.role for m in messages.data] == ["developer", "user", "assistant", "user"]  # type: ignore[comparison-overlap]
    assert [m.content for m in messages.data] == [
        "Answer briefly.",
        "Hello, you",
        "Hi.",
        "What is a gateway?",
    ]
    parts = messages.data[1].content_parts
    assert parts is not None and [p.text for p in parts] == ["Hello, ", "you"]  # type: ignore[union-attr]
    assert messages.data[0].content_parts is None and not messages.has_more
    page = client.chat.completions.messages.list(completion_id, limit=3, order="desc")
    assert [m.content for m in page.data] == ["What is a gateway?", "Hi.", "Hello, you"]
    assert page.has_more
    rest = client.chat.completions.messages.list(
        completion_id, limit=3, order="desc", after=page.data[-1].id
    )
    assert [m.content for m in rest.data] == ["Answer briefly."] and not rest.has_more
    assert [m.id for m in client.chat.completions.messages.list(completion_id, limit=1)] == [
        m.id for m in messages.data
    ]


def test_another_keys_completion_is_a_404_in_openais_shape(url: str) -> None:
    owner, other = sdk(url, "sk-stored-owner"), sdk(url, "sk-stored-other")
    completion_id = ask(owner, "mine", metadata={"who": "owner"})
    attempts = [
        lambda: other.chat.completions.retrieve(completion_id),
        lambda: other.chat.completions.update(completion_id, metadata={"who": "other"}),
        lambda: other.chat.completions.delete(completion_id),
        lambda: other.chat.completions.messages.list(completion_id),
    ]
    for attempt in attempts:
        with pytest.raises(openai.NotFoundError) as refused:
            attempt()
        error = refused.value.response.json()["error"]
        assert error["type"] == "not_found_error" and completion_id in error["message"]
    assert other.chat.completions.list(metadata={"who": "owner"}).data == []
    assert other.chat.completions.list(after=completion_id).data == []
    # Untouched by the other key's attempts.
    assert owner.chat.completions.retrieve(completion_id).metadata == {"who": "owner"}


@pytest.mark.parametrize("limit", ["99999999999999999999", "-99999999999999999999", "ten"])
def test_a_limit_out_of_range_is_a_400_naming_it(url: str, limit: str) -> None:
    for path in ("/v1/chat/completions", "/v1/chat/completions/chatcmpl-x/messages"):
        answer = httpx.get(
            f"{url}{path}",
            params={"limit": limit},
            headers={"Authorization": "Bearer sk-stored-lists"},
        )
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["param"] == "limit"


def test_a_nested_metadata_filter_is_a_400_naming_it(url: str) -> None:
    answer = httpx.get(
        f"{url}/v1/chat/completions",
        params={"metadata[a][b]": "c"},
        headers={"Authorization": "Bearer sk-stored-lists"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == "metadata"


def test_the_database_holds_them_with_a_row_per_metadata_pair(
    stored_gateway: tuple[Database, str],
) -> None:
    database, url = stored_gateway
    completion_id = ask(sdk(url, "sk-stored-tools"), "where am I kept?", metadata={"at": "db"})
    with database.engine.connect() as connection:
        ids = set(connection.execute(text("SELECT id FROM chat_completions")).scalars())
        pairs = connection.execute(
            text("SELECT key, value FROM chat_completion_metadata WHERE completion_id = :id"),
            {"id": completion_id},
        ).all()
    assert completion_id in ids
    assert [tuple(pair) for pair in pairs] == [("at", "db")]
