"""Model names as clients send them, to the ids the upstream serves.

Claude Code and Anthropic's SDKs send dated ids (`claude-sonnet-4-20250514`,
`claude-3-5-haiku-20241022`); Copilot's are undated and dotted (`claude-sonnet-4`,
`claude-3.5-sonnet`). The rule, first match wins:

1. the name as sent, if the config file's `[models.aliases]` names it or the upstream
   serves it;
2. the name without a trailing `-YYYYMMDD` or `-latest`;
3. that, with dashes between digits as dots (`claude-3-5-haiku` -> `claude-3.5-haiku`,
   `claude-sonnet-4-5` -> `claude-sonnet-4.5`), and with dots as dashes.

At each step an alias wins over a served id. Last, names of models OpenAI retired that
clients still send (`gpt-3.5-turbo-instruct` on legacy completions, `gpt-3.5-turbo`,
`gpt-4`, `gpt-4-turbo`, `text-embedding-ada-002`) go to their successor (`LEGACY`), when the
upstream serves it and not the old name. Access rules apply to the id it resolves to.

    [models.aliases]
    "claude-3-5-haiku-20241022" = "gpt-4o-mini"
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping

from pydantic import BaseModel, ConfigDict, Field

# Retired OpenAI names, and the model that now does their job.
LEGACY = {
    "gpt-3.5-turbo-instruct": "gpt-4o-mini",
    "gpt-3.5-turbo": "gpt-4o-mini",
    "gpt-3.5-turbo-16k": "gpt-4o-mini",
    "gpt-4": "gpt-4.1",
    "gpt-4-turbo": "gpt-4.1",
    "gpt-4-turbo-preview": "gpt-4.1",
    "gpt-4-32k": "gpt-4.1",
    "text-embedding-ada-002": "text-embedding-3-small",
}
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
    for candidate in candidates(name):
        if LEGACY.get(candidate) in served:
            return LEGACY[candidate]
    return name
