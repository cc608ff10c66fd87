"""The one interface every upstream implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

Json = dict[str, Any]


class Upstream(Protocol):
    """An OpenAI-compatible chat API behind the gateway.

    Bodies in and out are OpenAI's shapes; failures raise `errors.GatewayError`s.
    """

    async def list_models(self) -> list[Json]:
        """The models a caller may use, as OpenAI model objects."""
        ...

    async def model_kinds(self) -> dict[str, str | None]:
        """Each listed model's kind ("chat", "embeddings"), or None where it is not known."""
        ...

    async def chat(self, body: Json) -> Json:
        """A non-streamed chat completion."""
        ...

    async def chat_stream(self, body: Json) -> AsyncIterator[Json]:
        """Open a streamed chat completion: errors before the first chunk raise here."""
        ...

    async def embeddings(self, body: Json) -> Json:
        """Embeddings for `body["input"]`, always a list of strings here."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...
