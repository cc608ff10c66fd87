"""An upstream held in memory (the `upstreams.base.Upstream` protocol) and the `Call` a
handler would get, for unit tests of what sits between the edge and the upstream."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from copilot_gateway.access.rules import AccessConfig
from copilot_gateway.call import Call
from copilot_gateway.gateway import Gateway
from copilot_gateway.observability.record import RequestRecord
from copilot_gateway.settings import Settings
from copilot_gateway.surfaces.openai.surface import OPENAI
from copilot_gateway.upstreams.base import (
    CallRecord,
    Catalogue,
    Endpoint,
    EventStream,
    Json,
    ModelInfo,
    Upstream,
)


def model(model_id: str, kind: str | None = "chat", *endpoints: Endpoint) -> ModelInfo:
    """A model the catalogue serves on these endpoints (on any, when none are named)."""
    listed = {"id": model_id, "object": "model", "created": 0, "owned_by": "memory"}
    return ModelInfo(model_id, kind, tuple(endpoint.path for endpoint in endpoints), listed)


@dataclass
class MemoryUpstream:
    """Serves its catalogue, then its answers and streams in order; remembers each request."""

    catalogue: list[ModelInfo] = field(default_factory=list)
    answers: list[Json] = field(default_factory=list)
    streams: list[list[Json]] = field(default_factory=list)
    requests: list[tuple[Endpoint, Json]] = field(default_factory=list)
    closed: bool = False

    async def models(self) -> Catalogue:
        return {info.id: info for info in self.catalogue}

    async def call(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> Json:
        self.requests.append((endpoint, body))
        record.upstream_status = 200
        return self.answers.pop(0)

    async def stream(
        self,
        endpoint: Endpoint,
        body: Json,
        record: CallRecord,
        headers: Mapping[str, str] | None = None,
    ) -> EventStream:
        self.requests.append((endpoint, body))
        record.upstream_status = 200
        return chunks_of(self.streams.pop(0))

    async def aclose(self) -> None:
        self.closed = True


def _is_an_upstream(upstream: MemoryUpstream) -> Upstream:
    return upstream  # mypy checks here that MemoryUpstream keeps to the protocol


async def chunks_of(chunks: Iterable[Json]) -> AsyncGenerator[Json]:
    for chunk in chunks:
        yield chunk


def scope_from(client: str = "127.0.0.1", headers: dict[str, str] | None = None) -> dict[str, Any]:
    raw = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    return {"type": "http", "client": (client, 50000), "headers": raw}


def call_to(
    upstream: MemoryUpstream,
    *,
    access: AccessConfig | None = None,
    caller: str | None = None,
    scope: dict[str, Any] | None = None,
    path: str = "/v1/chat/completions",
) -> Call:
    """The Call the edge would make for a request to `path` served by `upstream`."""
    settings = Settings(api_keys="sk-unit")  # type: ignore[call-arg]
    gateway = Gateway(settings, upstream, "memory", access or AccessConfig())
    record = RequestRecord("POST", path)
    return Call(gateway, OPENAI, record, scope or scope_from(), caller=caller)
