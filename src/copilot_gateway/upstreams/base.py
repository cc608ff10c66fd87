"""The one interface every upstream implements, in the shape of httpx's transports: a
request to an endpoint goes in, an answer (or a stream of events) comes out. Adding an
operation adds no method here; adding an upstream kind is one class."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

Json = dict[str, Any]

# Endpoints, as Copilot's catalogue names them in `supported_endpoints`.
CHAT = "/chat/completions"
EMBEDDINGS = "/embeddings"
RESPONSES = "/responses"
MESSAGES = "/v1/messages"


@dataclass(frozen=True)
class ModelInfo:
    """A model the upstream offers, and how it wants to be called."""

    id: str
    kind: str | None  # "chat" or "embeddings"; None where the upstream does not say
    # The endpoints that serve it; empty when the upstream does not say (then any may).
    endpoints: tuple[str, ...]
    listed: Json  # as an OpenAI model object
    max_prompt_tokens: int | None = None  # the longest prompt it takes, where known
    premium_multiplier: float = 0.0  # premium requests a user-initiated call costs

    def serves(self, endpoint: str) -> bool:
        return not self.endpoints or endpoint in self.endpoints


Catalogue = dict[str, ModelInfo]


class Upstream(Protocol):
    """A server behind the gateway. Bodies in and out are the endpoint's own shapes;
    failures raise `errors.GatewayError`s."""

    async def models(self) -> Catalogue:
        """The models a caller may use, by id."""
        ...

    async def call(
        self, endpoint: str, body: Json, headers: Mapping[str, str] | None = None
    ) -> Json:
        """A non-streamed request to `endpoint` (e.g. `CHAT`), and its JSON answer.
        `headers`: the client's headers the endpoint needs passed on (`anthropic-beta`)."""
        ...

    async def stream(
        self, endpoint: str, body: Json, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[Json]:
        """Open a streamed request: errors before the first event raise here; then each
        event's JSON data, until the stream's end (`[DONE]`, or `message_stop` on
        `MESSAGES`)."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...
