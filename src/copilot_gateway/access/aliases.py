"""Model names as clients send them, to the ids the upstream serves.

Claude Code and Anthropic's SDKs send dated, dashed ids (`claude-sonnet-4-5-20250929`,
`claude-opus-4-6`), raw variants (`claude-opus-4-6-fast`, `claude-opus-4-6[1m]`) and tier
names (`opus`); the SDKs' own tests and the CLIs send their defaults (`gpt-5.4`,
`gpt-5-codex`, `gemini-2.5-flash`); Copilot's ids are undated and dotted
(`claude-sonnet-4.5`, `claude-opus-4.6-fast`). The rule, first match wins:

1. the name as sent, if the config file's `[models.aliases]` names it or the upstream
   serves it;
2. the name without a trailing date (`-YYYYMMDD`, `-YYYY-MM-DD`) or `-latest`, with
   Claude Code's `[1m]` as Copilot's `-1m`;
3. that, with dashes between digits as dots (`claude-3-5-haiku` -> `claude-3.5-haiku`,
   `claude-opus-4-6` -> `claude-opus-4.6`), and with dots as dashes;
4. steps 2 and 3 without a raw variant the upstream does not serve (`-fast`, `-1m`,
   `-1m-internal`, `-high`, `-xhigh`, and Gemini CLI's `-customtools`): the base model;
5. names of models OpenAI retired that clients still send (`gpt-3.5-turbo-instruct` on
   legacy completions, `gpt-3.5-turbo`, `gpt-4`, `gpt-4-turbo`, `o3-mini`, `o4-mini`,
   `text-embedding-ada-002`) to their successor (`LEGACY`), when the upstream serves it
   and not the old name;
6. the served model of the same family nearest the version asked for (see `families`):
   `claude-opus-4-1-20250805` -> `claude-opus-4.5`, `claude-opus-5-5` -> `claude-opus-5`,
   `gpt-5-codex` -> `gpt-5.2-codex`, `gemini-2.5-flash` -> `gemini-3.5-flash`, `opus` ->
   the newest Opus served; never an older generation (`gpt-9` is unknown).

At each step an alias wins over a served id. Access rules apply to the id it resolves to;
a name nothing matches is itself (then it is unknown: 404). An operator who wants another
mapping names it:

    [models.aliases]
    "claude-3-5-haiku-20241022" = "gpt-4o-mini"
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping

from pydantic import BaseModel, ConfigDict, Field

from .families import nearest

# Retired OpenAI names, and the model that now does their job.
LEGACY = {
    "gpt-3.5-turbo-instruct": "gpt-4o-mini",
    "gpt-3.5-turbo": "gpt-4o-mini",
    "gpt-3.5-turbo-16k": "gpt-4o-mini",
    "gpt-4": "gpt-4.1",
    "gpt-4-turbo": "gpt-4.1",
    "gpt-4-turbo-preview": "gpt-4.1",
    "gpt-4-32k": "gpt-4.1",
    "o1-mini": "gpt-5-mini",
    "o3-mini": "gpt-5-mini",
    "o4-mini": "gpt-5-mini",
    "text-embedding-ada-002": "text-embedding-3-small",
}
SUFFIX = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$")
ONE_MILLION = re.compile(r"\[1m\]$", re.IGNORECASE)
VARIANT = re.compile(r"-(?:fast|1m-internal|1m|high|xhigh|customtools)$")
DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)-(?=\d)")


class ModelNames(BaseModel):
    """The config file's `[models]` table."""

    model_config = ConfigDict(extra="forbid")

    aliases: dict[str, str] = Field(default_factory=dict)


def base_name(name: str) -> tuple[str, str]:
    """Step 2: without its date or `-latest`, `[1m]` as `-1m`; split into the model and
    its raw variant (`""` for none)."""
    base = SUFFIX.sub("", ONE_MILLION.sub("-1m", name.strip()))
    variant = VARIANT.search(base)
    return (base[: variant.start()], variant[0]) if variant else (base, "")


def spellings(stem: str) -> Iterator[str]:
    """Step 3's spellings of a model's name (its variant is spelt as it is)."""
    yield stem
    yield DASH_BETWEEN_DIGITS.sub(".", stem)
    yield stem.replace(".", "-")


def candidates(name: str) -> Iterator[str]:
    """Steps 1 to 4, in order."""
    yield name
    stem, variant = base_name(name)
    for spelt in spellings(stem):
        yield spelt + variant
    if variant:
        yield from spellings(stem)


def resolve(name: str, served: Collection[str], aliases: Mapping[str, str]) -> str:
    """The id to call for `name` (itself when nothing matches: then it is unknown)."""
    for candidate in candidates(name):
        if candidate in aliases:
            return aliases[candidate]
        if candidate in served:
            return candidate
    for candidate in candidates(name):
        if LEGACY.get(candidate) in served:
            return LEGACY[candidate]
    stem, _ = base_name(name)
    return nearest(DASH_BETWEEN_DIGITS.sub(".", stem), served) or name
