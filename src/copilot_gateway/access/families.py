"""The nearest model of a family the upstream serves, for a name it does not serve: the
last step of name resolution (see `aliases`).

A model id is its family's words and one version: `claude-opus-4.6` and `claude-3.5-haiku`
are (`claude opus`, 4.6) and (`claude haiku`, 3.5), whichever side of the name the version
sits on (Anthropic moved it in 2025); `gpt-5.3-codex` is (`gpt codex`, 5.3); `gemini-2.5-flash`
(`gemini flash`, 2.5). Ids whose every word is a name or with two versions have no family
(`gpt-4o`: "4o" is no version). A raw variant (`claude-opus-4.6-fast`) is a family of its
own, so a base name never lands on one.

The nearest is the lowest version at or above the one asked for (a retired model's
successor: `claude-opus-4-1` to `claude-opus-4.5`), else the highest below it of the same
major version (a point release newer than the upstream serves, as Claude Code's default
`claude-opus-5-5` is beside Copilot's `claude-opus-5`), else none: a whole generation the
upstream does not serve (`gpt-9`) is unknown, not an older model. A name with no version
(`claude-opus`, `claude-opus-latest`, Claude Code's `opus`) is the newest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

VERSION = re.compile(r"\d+(?:\.\d+)*")
# Claude Code's model aliases, as its `--model` takes them.
CLAUDE_TIERS = frozenset({"opus", "sonnet", "haiku", "fable"})

Family = tuple[str, ...]
Version = tuple[int, ...]


def family_of(model_id: str) -> tuple[Family, Version | None] | None:
    """The family's words and the version of an id (dots between its numbers); None for an
    id with two versions (no family to tell)."""
    words = model_id.lower().split("-")
    if len(words) == 1 and words[0] in CLAUDE_TIERS:
        words = ["claude", *words]
    versions = [word for word in words if VERSION.fullmatch(word)]
    if len(versions) > 1:
        return None
    family = tuple(word for word in words if not VERSION.fullmatch(word))
    version = _normalised(int(part) for part in versions[0].split(".")) if versions else None
    return (family, version) if family else None


def _normalised(parts: Iterable[int]) -> Version:
    """A version without trailing zeros, so that 4.0 is 4 (Anthropic's `claude-sonnet-4-0`
    is Copilot's `claude-sonnet-4`), not a release after it."""
    version = list(parts)
    while len(version) > 1 and version[-1] == 0:
        version.pop()
    return tuple(version)


def nearest(name: str, served: Iterable[str]) -> str | None:
    """The served model of `name`'s family nearest its version (see the module), or None."""
    wanted = family_of(name)
    if wanted is None:
        return None
    family, version = wanted
    members: list[tuple[Version, str]] = []
    for model_id in served:
        found = family_of(model_id)
        if found is not None and found[0] == family and found[1] is not None:
            members.append((found[1], model_id))
    if not members:
        return None
    members.sort()
    if version is None:
        return members[-1][1]
    above = [model_id for member, model_id in members if member >= version]
    if above:
        return above[0]
    same_major = [model_id for member, model_id in members if member[0] == version[0]]
    return same_major[-1] if same_major else None
