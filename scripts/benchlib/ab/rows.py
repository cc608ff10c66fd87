"""What an A/B run measures: the gateway's main paths, each on both sides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..loads import (
    ANTHROPIC_HEADERS,
    EMBEDDINGS_BODY,
    GATEWAY_HEADERS,
    MESSAGES_BODY,
    RESPONSES_BODY,
    chat_body,
)


@dataclass(frozen=True)
class AbLoad:
    name: str  # no commas: `--only` takes a comma-separated list of names' beginnings
    path: str  # under /v1
    body: bytes
    headers: Mapping[str, str]
    translating: bool  # through the gateway with `GATEWAY_UPSTREAM_RESPONSES=translate`
    quick: tuple[int, ...]  # connection counts in a `--quick` run
    full: tuple[int, ...]  # and in a full one


ROWS = (
    AbLoad(
        "chat 1 KB", "/chat/completions", chat_body(1024), GATEWAY_HEADERS, False, (1, 32), (1, 32)
    ),
    AbLoad(
        "chat 1 KB streamed",
        "/chat/completions",
        chat_body(1024, stream=True),
        GATEWAY_HEADERS,
        False,
        (32,),
        (1, 32),
    ),
    AbLoad(
        "chat 256 KB", "/chat/completions", chat_body(256 * 1024), GATEWAY_HEADERS, False, (), (8,)
    ),
    AbLoad(
        "responses native", "/responses", RESPONSES_BODY, GATEWAY_HEADERS, False, (32,), (1, 32)
    ),
    AbLoad(
        "responses translated to chat",
        "/responses",
        RESPONSES_BODY,
        GATEWAY_HEADERS,
        True,
        (32,),
        (1, 32),
    ),
    AbLoad("messages native", "/messages", MESSAGES_BODY, ANTHROPIC_HEADERS, False, (32,), (1, 32)),
    AbLoad(
        "messages translated to chat",
        "/messages",
        MESSAGES_BODY,
        ANTHROPIC_HEADERS,
        True,
        (32,),
        (1, 32),
    ),
    AbLoad(
        "embeddings 256 inputs", "/embeddings", EMBEDDINGS_BODY, GATEWAY_HEADERS, False, (8,), (8,)
    ),
)


def chosen(only: list[str] | None) -> tuple[AbLoad, ...]:
    """The rows whose names start with one of `only` (all rows without it)."""
    if not only:
        return ROWS
    picked = tuple(row for row in ROWS if row.name.startswith(tuple(only)))
    if not picked:
        names = ", ".join(row.name for row in ROWS)
        raise SystemExit(f"no A/B row starts with {', '.join(only)}; the rows: {names}")
    return picked
