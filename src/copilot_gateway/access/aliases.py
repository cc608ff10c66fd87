"""Model names as clients send them, to the ids the upstream serves.

Claude Code and Anthropic's SDKs send dated ids (`claude-sonnet-4-20250514`,
`claude-3-5-haiku-20241022`); Copilot's are undated and dotted (`claude-sonnet-4`,
`claude-3.5-sonnet`). The rule, first match wins:

1. the name as sent, if the config file's `[models.aliases]` names it or the upstream
   serves it;
2. the name without a trailing `-YYYYMMDD` or `-latest`;
3. that, with dashes between digits as dots (`claude-3-5-haiku` -> `claude-3.5-haiku`,
   `claude-sonnet-4-5` -> `claude-sonnet-4.5`), and with dots as dashes.

At each step an alias wins over a served id. Access rules apply to the id it resolves to.

    [models.aliases]
    "claude-3-5-haiku-20241022" = "gpt-4o-mini"
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping

from pydantic import BaseModel, ConfigDict, Field

SUFFIX = re.compile(r"-(?:\d{8}|latest)$")
DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)-(?=\d)")


class ModelNames(BaseModel):
    """The config file's `[models]` table."""

    model_config = ConfigDict(extra="forbid")

    aliases: dict[str, str] = Field(default_factory=dict)


def candidates(name: str) -> Iterator[str]:
    yield name
    base = SUFFIX.sub("", name)
    yield base
    yield DASH_BETWEEN_DIGITS.sub(".", base)
    yield base.replace(".", "-")


def resolve(name: str, served: Container[str], aliases: Mapping[str, str]) -> str:
    """The id to call for `name` (itself when nothing matches: then it is unknown)."""
    for candidate in candidates(name):
        if candidate in aliases:
            return aliases[candidate]
        if candidate in served:
            return candidate
    return name
