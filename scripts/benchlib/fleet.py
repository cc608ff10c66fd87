"""The servers of a full run, started together before anything is measured.

Start-up is CPU-heavy: a server starting mid-measurement would slow the one measured. So
every server the chosen sections need starts at once, and the sections get them as one
typed `Fleet`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .incumbent import litellm
from .plan import STREAM_INTERVAL_MS, Plan
from .servers import (
    Server,
    ServerSpec,
    floor,
    gateway,
    redis,
    servers,
    stub,
    variant,
    workers_supported,
)
from .variants import VARIANTS


@dataclass(frozen=True)
class Fleet:
    stub: Server  # answers at once
    paced_stub: Server  # paces its streams' chunks
    floor: Server
    gateway: Server
    translating: Server  # Responses and Messages through chat
    streams_gateway: Server  # the paced stub's gateway
    two_workers: Server | None = None  # `serve --workers 2`, where `serve` has the option
    variants: dict[str, Server] = field(default_factory=dict)  # by variant name
    incumbent: Server | None = None  # the LiteLLM proxy on the stub (`incumbent`)


@contextmanager
def fleet(
    plan: Plan, variants: Collection[str] = (), incumbent: Path | None = None
) -> Iterator[Fleet]:
    """The servers, with these of `VARIANTS` beside them, and the incumbent (its `litellm`
    command) when given."""
    stubs = {"stub": stub(), "paced stub": stub(plan.stream_chunks, STREAM_INTERVAL_MS)}
    if any(VARIANTS[name].redis for name in variants):
        stubs["redis"] = redis()
    with servers(stubs) as upstreams:
        url = upstreams["stub"].url
        found = upstreams.get("redis")
        redis_url = f"redis://{found.url.removeprefix('http://')}/0" if found else None
        specs: dict[str, ServerSpec] = {
            "floor": floor(url),
            "gateway": gateway(url, "gateway"),
            "translating": gateway(url, "translating", GATEWAY_UPSTREAM_RESPONSES="translate"),
            "streams gateway": gateway(upstreams["paced stub"].url, "streams"),
        }
        if workers_supported():
            specs["gateway --workers 2"] = gateway(url, "gateway-2w", workers=2)
        specs |= {
            f"variant {name}": variant(url, name, redis_url if VARIANTS[name].redis else None)
            for name in VARIANTS
            if name in variants
        }
        if incumbent is not None:
            specs["incumbent"] = litellm(incumbent, url)
        with servers(specs) as started:
            yield Fleet(
                stub=upstreams["stub"],
                paced_stub=upstreams["paced stub"],
                floor=started["floor"],
                gateway=started["gateway"],
                translating=started["translating"],
                streams_gateway=started["streams gateway"],
                two_workers=started.get("gateway --workers 2"),
                variants={
                    name: started[f"variant {name}"] for name in VARIANTS if name in variants
                },
                incumbent=started.get("incumbent"),
            )
