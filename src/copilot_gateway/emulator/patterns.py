"""A string that matches a JSON Schema `pattern`, built by walking the parsed regex.

Deterministic and fast (a few microseconds): each repeat is taken `extra` times past its
minimum (capped by its maximum), each alternative and character class gives its first
readable choice. Lookarounds are not understood: the caller checks the result.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

# Characters tried, in order, for a class or an `ANY`: readable ones first.
PREFERRED = "a0A_-. xyzbcdefghijklmnopqrstuvw123456789BCDEFGHIJKLMNOPQRSTUVWXYZ@:/"
MAX_REPEAT_TAKEN = 64
MAX_CHARS = 65536  # as the instances' bound on characters


class Unmatchable(ValueError):
    """The walker cannot build a matching string for this pattern."""


class TooLong(Unmatchable):
    """The pattern's shortest match is longer than the emulator generates."""


@lru_cache(maxsize=512)
def string_matching(pattern: str, extra: int = 0) -> str:
    """A string `re.search(pattern, it)` finds, with each repeat taken `extra` more times."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        raise Unmatchable(pattern) from error
    groups: dict[int, str] = {}
    try:
        text = _walk(list(parsed), extra, groups)
        if re.search(pattern, text) is None:
            raise Unmatchable(pattern)
    except RecursionError as error:
        raise Unmatchable(pattern) from error
    return text


def _walk(items: list[tuple[Any, Any]], extra: int, groups: dict[int, str]) -> str:
    return "".join(_one(op, value, extra, groups) for op, value in items)


def _one(op: Any, value: Any, extra: int, groups: dict[int, str]) -> str:
    if op is sre.LITERAL:
        return chr(value)
    if op is sre.NOT_LITERAL:
        return next(c for c in PREFERRED if ord(c) != value)
    if op is sre.ANY:
        return "a"
    if op is sre.IN:
        return _from_class(value)
    if op is sre.BRANCH:
        return _walk(list(value[1][0]), extra, groups)
    if op is sre.SUBPATTERN:
        group, _, _, body = value
        text = _walk(list(body), extra, groups)
        if group is not None:
            groups[group] = text
        return text
    if op is sre.ATOMIC_GROUP:
        return _walk(list(value), extra, groups)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, body = value
        times = low + extra if high is sre.MAXREPEAT else min(high, low + extra)
        if times > MAX_REPEAT_TAKEN + low:
            times = low
        once = _walk(list(body), extra, groups) if times else ""
        if len(once) * times > MAX_CHARS:
            raise TooLong(f"the pattern's shortest match is over {MAX_CHARS} characters")
        return once * times
    if op is sre.GROUPREF:
        return groups.get(value, "")
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return ""
    if op is sre.CATEGORY:
        return _from_class([(op, value)])
    raise Unmatchable(str(op))


def _from_class(members: list[tuple[Any, Any]]) -> str:
    negated = bool(members) and members[0][0] is sre.NEGATE
    if negated:
        members = members[1:]
    for char in PREFERRED:
        if _in_class(char, members) != negated:
            return char
    if not negated:
        for op, value in members:
            if op is sre.LITERAL:
                return chr(value)
            if op is sre.RANGE:
                return chr(value[0])
    raise Unmatchable("character class")


CATEGORY_TESTS = {
    sre.CATEGORY_DIGIT: str.isdigit,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}


def _in_class(char: str, members: list[tuple[Any, Any]]) -> bool:
    for op, value in members:
        if op is sre.LITERAL and ord(char) == value:
            return True
        if op is sre.RANGE and value[0] <= ord(char) <= value[1]:
            return True
        if op is sre.CATEGORY and CATEGORY_TESTS.get(value, lambda _: False)(char):
            return True
    return False
