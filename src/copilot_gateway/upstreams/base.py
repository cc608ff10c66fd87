"""The one interface every upstream implements, in the shape of httpx's transports: a
request to an endpoint goes in, an answer (or a stream of events) comes out.

The endpoint comes described (`Endpoint`): the surface that sends a request says what it
is (its path, the client headers it reads, how its streams end, who made it), so that no
upstream knows any surface. Adding an operation adds no method here; adding a surface adds
endpoints in its own folder; adding an upstream kind is one class.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..pricing import TokenPrice

Json = dict[str, Any]
AnswerReader = Callable[[bytes], Json | None]  # an answer's bytes as its JSON object, or None


def never(body: Json) -> bool:
    return False


def unchanged(body: Json) -> Json:
    return body


@dataclass(frozen=True)
class Conversation:
    """What a request's body says of the conversation it belongs to, as plain text, so that
    upstreams and the agents' markers (`upstreams.agents`) read every surface alike."""

    system: str = ""  # its instructions (system and developer prompts), joined
    first_user: str = ""  # the text of its first user message
    # The text of its last message when that one is the user role's (the user's turn, or an
    # agent's own prompt: a compaction request, a continuation); "" otherwise.
    last_user: str = ""


def no_conversation(body: Json) -> Conversation:
    return Conversation()


@dataclass(frozen=True)
class Endpoint:
    """An upstream endpoint, as the surface that sends to it describes it. Each upstream
    reads what it needs of it (Copilot: who made the request and whether it holds images,
    for its headers and its premium-request accounting)."""

    # Where it is served, as upstream catalogues name it (`supported_endpoints`).
    path: str
    # The client's headers it reads, passed on as the client sent them (lower case), and
    # the value of each the client may leave out that the endpoint wants anyway.
    forwarded: tuple[str, ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()
    # Whether the user made this request (their own turn), not an agent on its own (a tool
    # result, a follow-up): upstreams that bill by turn bill only the user's.
    user_initiated: Callable[[Json], bool] = never
    # Whether its body holds images (some upstreams want to be told).
    holds_images: Callable[[Json], bool] = never
    # What its body says of the conversation (for the kind of call and its conversation's
    # id, see `upstreams.agents`); nothing for endpoints that hold no conversation.
    conversation: Callable[[Json], Conversation] = no_conversation
    # An event after which its stream is complete without `[DONE]`; None: only `[DONE]`
    # ends it (a stream that stops before is cut).
    ends_stream: Callable[[Json], bool] | None = None
    # What in a request ties it to an earlier answer, and in an answer (or stream event)
    # what a later request may send back to continue it: opaque values only the upstream
    # account that made them can read. None: every request stands alone.
    continuation: Callable[[Json], Iterable[str]] | None = None
    # The body as an upstream that is not Copilot takes it: without the hints only Copilot
    # reads (its `copilot_*` fields), which other servers may refuse as unknown.
    plain: Callable[[Json], Json] = unchanged
    # How its answer's bytes are read, when not as JSON in full: an endpoint whose answers
    # are large and passed on as they came reads them lazily (the embeddings' vectors kept
    # as bytes). None when the bytes are no answer it can read; the answer comes back whole.
    read_answer: AnswerReader | None = None

    def passed_headers(self, client: Mapping[str, str]) -> dict[str, str]:
        """The headers to pass on: the client's where it sent them, else the defaults."""
        headers = dict(self.defaults)
        headers.update({name: client[name] for name in self.forwarded if name in client})
        return headers


def strings_under(node: Any, names: tuple[str, ...]) -> Iterator[str]:
    """Every non-empty string under one of these keys, anywhere in a JSON document (for an
    endpoint's `continuation`)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in names and isinstance(value, str) and value:
                yield value
            else:
                yield from strings_under(value, names)
    elif isinstance(node, list):
        for item in node:
            yield from strings_under(item, names)


class EventStream(Protocol):
    """A streamed answer's events, each one's JSON data (an async generator is one); its
    reader may let it go early (`aclose`), which lets go of the upstream's response."""

    def __aiter__(self) -> AsyncIterator[Json]: ...

    async def __anext__(self) -> Json: ...

    async def aclose(self) -> None: ...


class CallRecord(Protocol):
    """Where an upstream notes what it saw while serving one request (the request's
    `observability.record.RequestRecord` is one), and what it may read of it: the status it
    was answered, which of its accounts served, what the request cost (the upstream's own bill
    in nano-AIU where it sends one, else the price its tokens are billed at), and the name of
    the key that made it."""

    upstream_status: int | None
    key_name: str | None
    account: str | None
    price: TokenPrice | None

    def add_nano_aiu(self, amount: int) -> None: ...


@dataclass(frozen=True)
class ModelInfo:
    """A model the upstream offers, and how it wants to be called."""

    id: str
    kind: str | None  # "chat" or "embeddings"; None where the upstream does not say
    # The endpoint paths that serve it; empty when the upstream does not say (then any may).
    endpoints: tuple[str, ...]
    listed: Json  # as an OpenAI model object
    max_prompt_tokens: int | None = None  # the longest prompt it takes, where known
    premium_multiplier: float = 0.0  # premium requests a user-initiated call costs
    price: TokenPrice | None = None  # what its tokens cost, where the upstream lists it

    def serves(self, endpoint: Endpoint) -> bool:
        return not self.endpoints or endpoint.path in self.endpoints


Catalogue = dict[str, ModelInfo]


class Upstream(Protocol):
    """A server behind the gateway. Bodies in and out are the endpoint's own shapes;
    failures raise `errors.GatewayError`s. `record` is the request's: the upstream notes
    there what it saw (the status it answered). `headers` are the client's, for the ones
    the endpoint forwards."""

    async def models(self) -> Catalogue:
        """The models a caller may use, by id."""
        ...

    async def call(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> Json:
        """A non-streamed request to `endpoint`, and its JSON answer."""
        ...

    async def stream(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> EventStream:
        """Open a streamed request: errors before the first event raise here; then each
        event's JSON data, until the stream's end (`[DONE]`, or the endpoint's last event)."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...
